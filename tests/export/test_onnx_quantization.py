"""`multistyle-export --quantize=int8`: an integer ONNX model that
paints within the stated tolerance of the float one."""

import os
import subprocess
import sys

import keras
import numpy as np
from PIL import Image
import pytest

from multistyle import errors
from multistyle.export import onnx_quantization
from multistyle.export import saved_model
from multistyle.model_folder import folder_io
from tests.conftest import REPO_ROOT
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import save_random_model
from tests.conftest import write_image
from tests.export.test_onnx_models import optimized_op_counts
from tests.export.test_onnx_models import session

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="export runs on the TensorFlow backend only")
# Per-pixel tolerance of the int8 model against its float model, in
# uint8 levels: the mean absolute difference, and the share of pixels
# more than `_FAR` levels off (BENCHMARKS.md, lean and int8 exports: the
# shipped models' int8 files are at 4.9-5.0 and 0.3%, and score within
# 2% of the float ones).
_MEAN_LEVELS = 6.0
_FAR = 32
_FAR_SHARE = 0.01


def _photos(count, seed, size=(48, 40)):
    """Smooth random uint8 photos (small noise bilinearly enlarged)."""
    rng = np.random.default_rng(seed)
    return [np.asarray(Image.fromarray(rng.integers(
        0, 256, (6, 5, 3), np.uint8)).resize(size[::-1],
                                             Image.Resampling.BILINEAR))
            for _ in range(count)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A folder exported with --onnx --quantize=int8."""
    root = tmp_path_factory.mktemp("int8")
    model_dir = save_random_model(root / "trained")
    output = str(root / "exported")
    saved_model.export_saved_model(
        model_dir, output, onnx=True, quantize="int8",
        calibration_photos=_photos(8, seed=0))
    return output


def assert_within_tolerance(got, want):
    """`got`, the int8 model's uint8 images, is within the tolerance of
    `want`, its float model's."""
    assert got.dtype == np.uint8 and got.shape == want.shape
    difference = np.abs(got.astype(int) - want)
    assert difference.mean() <= _MEAN_LEVELS, difference.mean()
    assert np.mean(difference > _FAR) <= _FAR_SHARE


def _batch():
    """Held-out photos (not calibrated on) in blended styles."""
    images = np.stack(_photos(2, seed=1, size=(45, 37)))
    weights = np.random.default_rng(1).dirichlet(
        np.ones(len(TEST_STYLE_NAMES)), 2).astype(np.float32)
    return images, weights


def test_int8_onnx_paints_within_tolerance_of_the_float_model(exported):
    images, weights = _batch()
    feeds = {"images": images, "style_weights": weights}
    want, = session(os.path.join(exported, folder_io.ONNX_FILENAME)).run(
        None, feeds)
    got, = session(os.path.join(exported, folder_io.ONNX_INT8_FILENAME)
                   ).run(None, feeds)
    assert_within_tolerance(got, want)


def test_int8_onnx_runs_3x3_convolutions_on_integers(exported, tmp_path):
    counts = optimized_op_counts(
        os.path.join(exported, folder_io.ONNX_INT8_FILENAME), tmp_path)
    # All but the first and the last (9x9), which stay float.
    assert counts["QLinearConv"] == 14, counts
    assert counts["Conv"] == 2, counts


@pytest.mark.parametrize("kwargs, match", [
    ({"quantize": "int4", "onnx": True}, "`quantize` must be one of"),
    ({"quantize": "int8", "tflite": True}, "ask for `onnx`"),
    ({"quantize": "int8", "onnx": True}, "needs `calibration_photos`"),
])
def test_rejects_quantization_it_cannot_do(kwargs, match, tmp_path):
    with pytest.raises(errors.ArgumentError, match=match):
        saved_model.export_saved_model(str(tmp_path / "model"),
                                       str(tmp_path / "out"), **kwargs)
    assert not os.listdir(tmp_path)


def test_calibration_photos_spread_over_the_files(tmp_path):
    files = []
    for i in range(6):
        files.append(str(tmp_path / f"photo{i}.png"))
        Image.fromarray(np.full((300, 200, 3), i, np.uint8)).save(files[-1])
    photos = onnx_quantization.load_calibration_photos(str(tmp_path), 3)
    assert [int(p[0, 0, 0]) for p in photos] == [0, 2, 4]
    # Every 3rd photo (0 and 3) held out, as evaluation holds them out.
    photos = onnx_quantization.load_calibration_photos(str(tmp_path), 3,
                                                       holdout_every=3)
    assert [int(p[0, 0, 0]) for p in photos] == [1, 2, 4]
    assert max(photos[0].shape) == onnx_quantization.CALIBRATION_SIZE


def _export_cli(*args):
    """multistyle-export in its own process (its --model is not the
    painting tools' --model, whose module other tests import here)."""
    return subprocess.run(
        [sys.executable, "-m", "multistyle.cli.export", *args],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=600,
        env={**os.environ, "KERAS_BACKEND": "tensorflow"})


def test_cli_writes_int8_onnx_into_a_model_folder(tmp_path):
    folder = save_random_model(tmp_path / "model")
    for i in range(4):
        write_image(str(tmp_path / "photos" / f"photo{i}.png"), 40, 48,
                    seed=i)
    result = _export_cli(
        f"--model={folder}", "--onnx_only", "--quantize=int8",
        f"--calibration_photos={tmp_path / 'photos'}", "--holdout_every=2",
        "--calibration_count=2")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(os.listdir(folder)) == sorted([
        folder_io.MODEL_FILENAME, folder_io.STYLES_FILENAME,
        folder_io.ONNX_FILENAME, folder_io.ONNX_MASKS_FILENAME,
        folder_io.ONNX_INT8_FILENAME])


def test_cli_quantize_needs_calibration_photos(tmp_path):
    folder = save_random_model(tmp_path / "model")
    result = _export_cli(f"--model={folder}", "--onnx_only",
                         "--quantize=int8")
    assert result.returncode == 2
    assert "--calibration_photos" in result.stderr
    assert "Traceback" not in result.stderr
