"""The ONNX runtimes (`onnxruntime_network`) and where `auto` picks them."""

import os
import shutil

import numpy as np
import pytest

from multistyle.inference import networks
from multistyle.inference import stylizer as stylizer_lib
from tests.conftest import REPO_ROOT
from tests.inference.test_tflite_network import masks_painted_and_by_keras

LITE_MODEL = os.path.join(REPO_ROOT, "saved_models", "multistyle16_lite")


def _copy_without(tmp_path, *patterns):
    return str(shutil.copytree(LITE_MODEL, tmp_path / "lite",
                               ignore=shutil.ignore_patterns(*patterns)))


def _photos():
    return np.random.default_rng(0).integers(0, 256, (2, 37, 45, 3),
                                             np.uint8)


def test_auto_picks_the_fastest_file_there_is(tmp_path):
    assert networks.choose_runtime(LITE_MODEL) == "onnx_int8"
    assert networks.choose_runtime(
        _copy_without(tmp_path, "model_int8.onnx")) == "tflite"
    assert networks.choose_runtime(_copy_without(
        tmp_path / "b", "model_int8.onnx", "*.tflite")) == "onnx"
    # Batches (video) stay on TensorFlow or Keras.
    assert networks.choose_runtime(LITE_MODEL, batched=True) in (
        "saved_model", "keras")


@pytest.mark.parametrize("runtime,message", [
    ("onnx_int8", "needs model_int8.onnx"),
    ("onnx", "needs model.onnx"),
])
def test_forced_onnx_runtime_needs_its_file(tmp_path, runtime, message):
    folder = _copy_without(tmp_path, "*.onnx")
    with pytest.raises(FileNotFoundError, match=message):
        networks.choose_runtime(folder, runtime=runtime)


def test_float_onnx_paints_as_the_saved_model_within_a_level():
    weights = np.float32([[0.2] + [0.0] * 14 + [0.8], [0.0] * 3 + [1.0]
                          + [0.0] * 12])
    onnx = networks.load_network(LITE_MODEL, runtime="onnx")
    reference = networks.load_network(LITE_MODEL, runtime="keras")

    painted = onnx.paint(_photos(), weights).astype(int)
    expected = np.round(reference(_photos(), weights) * 255).astype(int)

    assert onnx.runtime == "onnx" and onnx.num_styles == 16
    assert np.abs(painted - expected).max() <= 1


def test_int8_onnx_paints_within_the_stated_tolerance():
    weights = np.eye(16, dtype=np.float32)[[2, 11]]
    int8 = networks.load_network(LITE_MODEL, runtime="onnx_int8")
    float_model = networks.load_network(LITE_MODEL, runtime="onnx")

    difference = np.abs(int8.paint(_photos(), weights).astype(int)
                        - float_model.paint(_photos(), weights))

    # BENCHMARKS.md, "Lean and int8 exports": a mean of at most 6 levels,
    # at most 1% of pixels more than 32 off.
    assert difference.mean() <= 6 and (difference > 32).mean() <= 0.01


def test_masks_on_the_int8_stylizer_paint_with_model_masks_onnx():
    stylizer = stylizer_lib.Stylizer(LITE_MODEL)

    painted, reference = masks_painted_and_by_keras(stylizer, _photos()[0],
                                                    20)

    assert stylizer.runtime == "onnx_int8"
    np.testing.assert_allclose(painted, reference, atol=2)
