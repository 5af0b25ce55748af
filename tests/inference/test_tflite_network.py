"""The TFLite runtime and the choice between runtimes (`networks`)."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from multistyle.inference import networks
from multistyle.inference import style_masks
from multistyle.inference import stylizer as stylizer_lib
from multistyle.inference import tflite_network
from tests.conftest import REPO_ROOT

LITE_MODEL = os.path.join(REPO_ROOT, "saved_models", "multistyle16_lite")
SHIPPED_MODEL = os.path.join(REPO_ROOT, "saved_models", "multistyle16")


@pytest.fixture(scope="module")
def lite_model():
    if not tflite_network.is_available(LITE_MODEL):
        pytest.fail(f"{LITE_MODEL} must ship with its TFLite model, and "
                    "ai-edge-litert be installed")
    return LITE_MODEL


def _backend():
    import keras

    return keras.backend.backend()


def test_auto_prefers_tflite_for_photos_without_onnx_models(lite_model,
                                                            tmp_path):
    without_onnx = shutil.copytree(lite_model, tmp_path / "lite",
                                   ignore=shutil.ignore_patterns("*.onnx"))
    assert networks.choose_runtime(str(without_onnx)) == "tflite"


def test_auto_skips_tflite_for_batches(lite_model):
    expected = "saved_model" if _backend() == "tensorflow" else "keras"
    assert networks.choose_runtime(lite_model, batched=True) == expected


def test_bfloat16_runs_keras(lite_model):
    assert networks.choose_runtime(lite_model, "bfloat16") == "keras"
    with pytest.raises(ValueError, match="runs model.keras only"):
        networks.choose_runtime(lite_model, "bfloat16", "tflite")


def test_auto_without_a_tflite_model_is_keras(model_dir):
    assert networks.choose_runtime(model_dir) == "keras"


@pytest.mark.parametrize("runtime,message", [
    ("tflite", "needs model_float16.tflite"),
    ("saved_model", "needs a SavedModel"),
])
def test_forced_runtime_needs_its_file(model_dir, runtime, message):
    with pytest.raises(FileNotFoundError, match=message):
        networks.choose_runtime(model_dir, runtime=runtime)


def test_rejects_unknown_runtime(model_dir):
    with pytest.raises(ValueError, match="`runtime` must be one of"):
        networks.choose_runtime(model_dir, runtime="gpu")


def test_tflite_paints_like_keras(lite_model):
    images = np.random.default_rng(0).random((2, 40, 56, 3), "float32")
    weights = np.eye(16, dtype="float32")[[3, 9]]
    tflite = networks.load_network(lite_model, runtime="tflite")
    keras_net = networks.load_network(lite_model, runtime="keras")

    difference = np.abs(tflite(images, weights) - keras_net(images, weights))

    assert tflite.runtime == "tflite" and tflite.num_styles == 16
    # float16 weights: within a couple of uint8 levels.
    assert difference.mean() < 1 / 255 and difference.max() < 6 / 255


def test_tflite_rejects_per_pixel_weights(lite_model):
    tflite = networks.load_network(lite_model, runtime="tflite")
    with pytest.raises(ValueError, match="per-pixel"):
        tflite(np.zeros((1, 16, 16, 3), "float32"),
               np.full((1, 16, 16, 16), 1 / 16, "float32"))


def masks_painted_and_by_keras(stylizer, photo, split):
    """`photo` painted with a two-style mask (udnie left of column `split`,
    great_wave right) by `stylizer` and by the same model on Keras."""
    mask = np.zeros(photo.shape[:2], np.float32)
    mask[:, :split] = 1.0
    weights = style_masks.weight_map([mask], style_masks.parse_styles(
        "udnie,great_wave", stylizer.style_names))
    reference = stylizer_lib.Stylizer(stylizer.model_dir,
                                      runtime="keras").stylize(photo, weights)
    return (np.asarray(stylizer.stylize(photo, weights), float),
            np.asarray(reference, float))


def test_masks_on_the_tflite_stylizer_load_the_full_network(lite_model):
    stylizer = stylizer_lib.Stylizer(lite_model, runtime="tflite")
    photo = np.random.default_rng(1).integers(0, 256, (32, 48, 3), np.uint8)

    painted, reference = masks_painted_and_by_keras(stylizer, photo, 24)

    assert stylizer.runtime == "tflite"
    np.testing.assert_allclose(painted, reference, atol=2)


_IMPORTS = """
import json, sys
from multistyle.inference import stylizer
s = stylizer.Stylizer({model!r}{extra})
s.stylize({photo!r}, s.weights("great_wave=1"))
names = sorted(sys.modules)
print(json.dumps({{"runtime": s.runtime, "modules": names}}))
"""


def _imported(model, extra=""):
    script = _IMPORTS.format(model=model, extra=extra, photo=os.path.join(
        REPO_ROOT, "samples", "photo.png"))
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    return probe["runtime"], set(probe["modules"])


def _packages(modules, *names):
    return {n for n in names
            if any(m == n or m.startswith(n + ".") for m in modules)}


@pytest.mark.large
@pytest.mark.parametrize("runtime", ["auto", "tflite"])
def test_the_fast_paths_import_neither_tensorflow_nor_keras(runtime):
    chosen, modules = _imported(SHIPPED_MODEL, f", runtime={runtime!r}")
    assert chosen == ("onnx_int8" if runtime == "auto" else runtime)
    assert not _packages(modules, "tensorflow", "keras", "jax",
                         "multistyle.training", "multistyle.loss")


@pytest.mark.large
def test_inference_imports_nothing_from_training(model_dir):
    runtime, modules = _imported(model_dir, ", runtime='keras'")
    assert runtime == "keras"
    assert not _packages(modules, "multistyle.training", "multistyle.loss",
                         "multistyle.evaluation", "tensorboard",
                         "tensorflow_datasets")
