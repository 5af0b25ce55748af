import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from multistyle.inference import grid
from tests.conftest import REPO_ROOT
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import write_image

NAMES = list(TEST_STYLE_NAMES)
# Layout constants of grid.py, restated: white gaps, label band under cells.
GAP, LABEL = 4, 18


def _cell(sheet, row, column, width, height):
    left = GAP + column * (width + GAP)
    top = GAP + row * (height + LABEL + GAP)
    return np.asarray(sheet)[top:top + height + LABEL, left:left + width]


def test_interpolation_runs_from_first_to_last_style():
    cells = grid.interpolation_weights(["great_wave", "starry_night"], NAMES,
                                       steps=5)
    weights = np.array([w for w, _, _ in cells])
    np.testing.assert_allclose(weights[0], [0, 1, 0])
    np.testing.assert_allclose(weights[2], [0.5, 0.5, 0])
    np.testing.assert_allclose(weights[-1], [1, 0, 0])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)


def test_interpolation_through_three_styles_shares_the_middle_one():
    cells = grid.interpolation_weights(NAMES, NAMES, steps=3)
    assert [label for _, _, label in cells] == [
        "starry_night", "50% / 50%", "great_wave", "50% / 50%",
        "composition_vii"]
    assert cells[1][1] == "50% starry_night + 50% great_wave"


@pytest.mark.parametrize("styles,steps,message", [
    (["great_wave"], 5, "at least two styles"),
    (["great_wave", "starry_night"], 1, "at least 2"),
    (["great_wave", "mona_lisa"], 5, "Unknown style 'mona_lisa'"),
])
def test_interpolation_rejects_bad_requests(styles, steps, message):
    with pytest.raises(ValueError, match=message):
        grid.interpolation_weights(styles, NAMES, steps=steps)


def test_grid_shows_photo_every_style_and_the_strip(stylizer, photo):
    sheet = grid.make_grid(stylizer, photo, cell_size=32,
                           interpolate=["starry_night", "great_wave"],
                           steps=3)
    # Photo 40x30 -> cells 32x24. Columns = strip length (3): photo and 3
    # styles on two rows, then the strip.
    assert sheet.size == (3 * (32 + GAP) + GAP, 3 * (24 + LABEL + GAP) + GAP)
    thumb = np.asarray(Image.fromarray(photo).resize(
        (32, 24), Image.Resampling.LANCZOS))
    np.testing.assert_array_equal(_cell(sheet, 0, 0, 32, 24)[:24], thumb)
    great_wave = stylizer.stylize(thumb, [0, 1, 0])
    np.testing.assert_array_equal(_cell(sheet, 0, 2, 32, 24)[:24],
                                  np.asarray(great_wave))
    np.testing.assert_array_equal(_cell(sheet, 2, 2, 32, 24)[:24],
                                  np.asarray(great_wave))


def test_photo_sheet_has_a_row_per_photo_and_a_column_per_style(
        stylizer, photo):
    tall = np.ascontiguousarray(np.transpose(photo, (1, 0, 2)))
    sheet = grid.make_photo_sheet(stylizer, [photo, tall], cell_size=32)
    # Cells are as large as the largest (32x32 for the two shapes) and each
    # row holds the photo and its 3 styles.
    assert sheet.size == (4 * (32 + GAP) + GAP, 2 * (32 + LABEL + GAP) + GAP)
    def shrunk(image):
        return np.asarray(Image.fromarray(np.asarray(image)).resize(
            (24, 32), Image.Resampling.LANCZOS))

    second_row = np.asarray(sheet)[GAP + 32 + LABEL + GAP:][:32]
    np.testing.assert_array_equal(second_row[:, GAP:GAP + 24], shrunk(tall))
    # Painted at full size, then shrunk.
    composition = stylizer.stylize(tall, [0, 0, 1])
    left = GAP + 3 * (32 + GAP)
    np.testing.assert_array_equal(second_row[:, left:left + 24],
                                  shrunk(composition))


def test_side_by_side_sheet_has_a_row_per_style_and_a_column_per_painter():
    paintings = [np.full((20, 20, 3), v, np.float32) for v in (0.2, 0.6)]
    photo = np.full((24, 32, 3), 0.4, np.float32)
    painters = {"dark": lambda i, p: p * 0.5,
                "style": lambda i, p: np.broadcast_to(paintings[i][0, 0],
                                                      p.shape)}
    sheet = grid.make_side_by_side_sheet(["a", "b"], paintings, photo,
                                         painters, cell_size=32)
    # Painting, photo, then each painter: 4 columns, a row per style.
    assert sheet.size == (4 * (32 + GAP) + GAP, 2 * (24 + LABEL + GAP) + GAP)
    for column, value in enumerate((153, 102, 51, 153)):  # Style b's row.
        cell = _cell(sheet, 1, column, 32, 24)
        assert np.abs(cell[:20, :20].astype(int) - value).max() <= 1, column


def test_every_cell_has_a_label(stylizer, photo):
    sheet = grid.make_grid(stylizer, photo, columns=2)  # 40x30, not enlarged
    for row, column in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        band = _cell(sheet, row, column, 40, 30)[30:]
        assert (band < 128).any(), (row, column)


def test_grid_can_show_a_subset_of_styles(stylizer, photo):
    sheet = grid.make_grid(stylizer, photo, styles=["composition_vii"],
                           cell_size=32, columns=8)
    assert sheet.size == (2 * (32 + GAP) + GAP, 24 + LABEL + 2 * GAP)


def test_grid_cli_writes_the_picture(model_dir, tmp_path):
    photo_path = write_image(str(tmp_path / "photo.png"), 30, 40)
    output = tmp_path / "grid.png"
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.grid", f"--model={model_dir}",
         f"--input={photo_path}", f"--output={output}", "--cell_size=32",
         "--interpolate=starry_night,great_wave", "--steps=3"],
        cwd=REPO_ROOT, capture_output=True, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {output}" in result.stdout
    assert Image.open(output).size == (3 * 36 + GAP, 3 * 46 + GAP)


def test_grid_cells_use_the_stroke_scale(stylizer, photo):
    sheet = grid.make_grid(stylizer, photo, cell_size=32, columns=4,
                           stroke_scale=2)
    thumb = np.asarray(Image.fromarray(photo).resize(
        (32, 24), Image.Resampling.LANCZOS))
    great_wave = stylizer.stylize(thumb, [0, 1, 0], stroke_scale=2)
    np.testing.assert_array_equal(_cell(sheet, 0, 2, 32, 24)[:24],
                                  np.asarray(great_wave))


def test_grid_cli_reads_stdin_writes_stdout_and_json(model_dir, tmp_path):
    photo_path = write_image(str(tmp_path / "photo.png"), 30, 40)
    with open(photo_path, "rb") as f:
        piped = subprocess.run(
            [sys.executable, "-m", "multistyle.cli.grid",
             f"--model={model_dir}", "--input=-", "--output=-",
             "--cell_size=32", "--stroke_scale=1.5"], stdin=f,
            cwd=REPO_ROOT, capture_output=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"\x89PNG")
    summary = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.grid", f"--model={model_dir}",
         f"--input={photo_path}", f"--output={tmp_path / 'grid.png'}",
         "--cell_size=32", "--json"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0, summary.stderr
    info = json.loads(summary.stdout)
    assert info["command"] == "multistyle-grid"
    assert info["output"]["path"] == str(tmp_path / "grid.png")
    assert info["styles"] == NAMES


@pytest.mark.parametrize("args,message", [
    (["--stroke_scale=0.1"], "--stroke_scale must be a number"),
    (["--json", "--output=-"], "--json prints its summary on stdout"),
])
def test_grid_cli_bad_new_options_exit_2(run_cli, model_dir, tmp_path, args,
                                         message):
    from multistyle.cli import grid as grid_cli

    photo_path = write_image(str(tmp_path / "photo.png"), 30, 40)
    code, _, err = run_cli(grid_cli.run, f"--model={model_dir}",
                           f"--input={photo_path}", *args)
    assert code == 2 and message in err, err
