"""Tests for multistyle.export.saved_model and the multistyle-export CLI."""

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

from multistyle.export import saved_model
from multistyle.io import image_io
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import min_side
from multistyle.network import transformer_net
from tests.conftest import REPO_ROOT
from tests.conftest import save_random_model

STYLE_NAMES = ["starry_night", "the_scream", "wave"]
TFLITE_SIZE = (37, 29)

tf_backend_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="SavedModel/TFLite export runs on the TensorFlow backend only.")

# Runs the SavedModel in a fresh process where importing Keras or multistyle
# fails, so the export must stand on TensorFlow alone.
_TF_ONLY_RUNNER = """
import sys
sys.modules["keras"] = None
sys.modules["multistyle"] = None
import numpy as np
import tensorflow as tf

saved_model_dir, inputs_path, outputs_path = sys.argv[1:]
serve = tf.saved_model.load(saved_model_dir).signatures["serving_default"]
inputs = np.load(inputs_path)
outputs = {}
for key in inputs.files:
    if key.startswith("images_"):
        case = key[len("images_"):]
        result = serve(images=tf.constant(inputs[key]),
                       style_weights=tf.constant(inputs["weights_" + case]))
        outputs[case] = result["stylized"].numpy()
assert sys.modules["keras"] is None and sys.modules["multistyle"] is None
np.savez(outputs_path, **outputs)
"""


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(
        [REPO_ROOT] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _keras_uint8(model, images, weights):
    """What the export should compute, from the Keras model."""
    out = model([image_io.to_float(images), weights], training=False)
    return image_io.to_uint8(keras.ops.convert_to_numpy(out))


def _mirror_padded_keras_uint8(model, images, weights, min_size):
    """The Keras model on the image mirror-padded to `min_size`, cropped."""
    _, height, width, _ = images.shape
    pad_h, pad_w = max(0, min_size - height), max(0, min_size - width)
    padded = np.pad(images, ((0, 0), (pad_h // 2, pad_h - pad_h // 2),
                             (pad_w // 2, pad_w - pad_w // 2), (0, 0)),
                    mode="symmetric")
    out = _keras_uint8(model, padded, weights)
    return out[:, pad_h // 2:pad_h // 2 + height,
               pad_w // 2:pad_w // 2 + width]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(model folder, SavedModel folder with TFLite, what was written)."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("export needs the TensorFlow backend")
    root = tmp_path_factory.mktemp("export")
    model_dir = save_random_model(root / "trained", STYLE_NAMES)
    written = saved_model.export_saved_model(
        model_dir, str(root / "saved_models" / "tiny"), tflite=True,
        tflite_size=TFLITE_SIZE)
    return model_dir, str(root / "saved_models" / "tiny"), written


@tf_backend_only
def test_saved_model_matches_keras_model_without_keras(exported, tmp_path):
    model_dir, saved_model_dir, _ = exported
    rng = np.random.default_rng(1)
    cases = {
        # Odd size, batch 2: one pure style, one 50/50 blend.
        "odd": (rng.integers(0, 256, (2, 37, 29, 3), dtype=np.uint8),
                np.array([[0, 1, 0], [0.5, 0, 0.5]], np.float32)),
        "square": (rng.integers(0, 256, (1, 64, 64, 3), dtype=np.uint8),
                   np.array([[0.2, 0.3, 0.5]], np.float32)),
    }
    inputs = {}
    for name, (images, weights) in cases.items():
        inputs[f"images_{name}"] = images
        inputs[f"weights_{name}"] = weights
    np.savez(tmp_path / "inputs.npz", **inputs)

    subprocess.run(
        [sys.executable, "-c", _TF_ONLY_RUNNER, saved_model_dir,
         str(tmp_path / "inputs.npz"), str(tmp_path / "outputs.npz")],
        check=True, cwd=tmp_path, timeout=300,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))

    outputs = np.load(tmp_path / "outputs.npz")
    model = keras.saving.load_model(
        os.path.join(model_dir, folder_io.MODEL_FILENAME))
    for name, (images, weights) in cases.items():
        got = outputs[name]
        assert got.dtype == np.uint8 and got.shape == images.shape
        want = _keras_uint8(model, images, weights)
        assert np.abs(got.astype(int) - want).max() <= 1, name
    assert not np.array_equal(outputs["odd"][0], outputs["odd"][1])


@tf_backend_only
def test_saved_model_mirror_pads_images_smaller_than_min_size(exported):
    import tensorflow as tf

    model_dir, saved_model_dir, _ = exported
    serve = tf.saved_model.load(saved_model_dir).signatures["serving_default"]
    model = keras.saving.load_model(
        os.path.join(model_dir, folder_io.MODEL_FILENAME))
    rng = np.random.default_rng(2)
    weights = np.array([[0.0, 0.0, 1.0]], np.float32)
    for shape in [(1, 1, 1, 3), (1, 5, 7, 3), (1, 9, 40, 3)]:
        images = rng.integers(0, 256, shape, dtype=np.uint8)
        got = serve(images=images, style_weights=weights)["stylized"].numpy()
        want = _mirror_padded_keras_uint8(model, images, weights,
                                          min_side.MIN_SIDE)
        assert got.shape == shape
        assert np.abs(got.astype(int) - want).max() <= 1, shape


@tf_backend_only
def test_masks_signature_matches_spatial_twin(exported):
    import tensorflow as tf

    model_dir, saved_model_dir, _ = exported
    serve = tf.saved_model.load(saved_model_dir).signatures[
        folder_io.MASKS_SIGNATURE_KEY]
    twin = transformer_net.spatial_twin(keras.saving.load_model(
        os.path.join(model_dir, folder_io.MODEL_FILENAME)))
    rng = np.random.default_rng(4)
    for shape in [(2, 37, 29), (1, 9, 12)]:  # Odd; below MIN_SIDE.
        images = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
        weights = np.zeros((*shape, len(STYLE_NAMES)), np.float32)
        weights[:, :, :shape[2] // 2, 0] = 1.0
        weights[:, :, shape[2] // 2:, 2] = 1.0

        got = serve(images=images, style_weights=weights)["stylized"].numpy()

        padded_weights = _mirror_pad(weights, min_side.MIN_SIDE)
        want = _mirror_padded_keras_uint8(
            lambda inputs, training: twin([inputs[0], padded_weights],
                                          training=training),
            images, None, min_side.MIN_SIDE)
        assert got.dtype == np.uint8 and got.shape == images.shape
        assert np.abs(got.astype(int) - want).max() <= 1, shape


@tf_backend_only
def test_tiny_images_paint_alike_from_the_saved_model_and_keras(exported):
    from multistyle.inference import stylizer as stylizer_lib

    model_dir, saved_model_dir, _ = exported
    from_keras = stylizer_lib.Stylizer(model_dir)
    from_saved_model = stylizer_lib.Stylizer(saved_model_dir)
    rng = np.random.default_rng(6)
    # (A 1x1 image pads to a constant one, whose instance norm statistics
    # are float noise: its output is not comparable across runtimes.)
    for shape in [(5, 7, 3), (9, 40, 3), (15, 2, 3)]:
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        got = np.asarray(from_saved_model.stylize(image, [0, 1, 0]))
        want = np.asarray(from_keras.stylize(image, [0, 1, 0]))
        assert got.shape == shape
        assert np.abs(got.astype(int) - want).max() <= 1, shape


@tf_backend_only
@pytest.mark.parametrize("height,width", [(37, 29), (64, 64), (101, 67)])
def test_stylizer_paints_as_the_serving_signatures(exported, height, width):
    """The Stylizer hands the network uint8 tiles: its paintings, from
    either runtime, are the exported signatures' within a level."""
    import tensorflow as tf

    from multistyle.inference import style_masks
    from multistyle.inference import stylizer as stylizer_lib

    model_dir, saved_model_dir, _ = exported
    signatures = tf.saved_model.load(saved_model_dir).signatures
    rng = np.random.default_rng(height)
    photo = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    weights = np.float32([0.2, 0.5, 0.3])
    mask = rng.integers(0, 256, (height, width), dtype=np.uint8)
    masks = style_masks.StyleMasks([mask], np.eye(3, dtype=np.float32)[[0, 2]])
    want = signatures[folder_io.SIGNATURE_KEY](
        images=photo[None], style_weights=weights[None])["stylized"][0]
    want_masked = signatures[folder_io.MASKS_SIGNATURE_KEY](
        images=photo[None],
        style_weights=masks.weight_map()[None])["stylized"][0]

    for folder, runtime in [(model_dir, "keras"),
                            (saved_model_dir, "saved_model")]:
        stylizer = stylizer_lib.Stylizer(folder, runtime=runtime)
        got = np.asarray(stylizer.stylize(photo, weights), int)
        got_masked = np.asarray(stylizer.stylize(photo, masks), int)
        assert np.abs(got - want.numpy()).max() <= 1, runtime
        assert np.abs(got_masked - want_masked.numpy()).max() <= 1, runtime


def _mirror_pad(array, min_size):
    _, height, width, _ = array.shape
    pad_h, pad_w = max(0, min_size - height), max(0, min_size - width)
    return np.pad(array, ((0, 0), (pad_h // 2, pad_h - pad_h // 2),
                          (pad_w // 2, pad_w - pad_w // 2), (0, 0)),
                  mode="symmetric")


@tf_backend_only
def test_saved_model_stores_each_weight_once(exported):
    import tensorflow as tf

    model_dir, saved_model_dir, _ = exported
    model = keras.saving.load_model(
        os.path.join(model_dir, folder_io.MODEL_FILENAME))
    stored = [name for name, _ in tf.train.list_variables(
        os.path.join(saved_model_dir, "variables", "variables"))
        if name != "_CHECKPOINTABLE_OBJECT_GRAPH"]

    assert len(stored) == len(model.weights)


@tf_backend_only
def test_saved_model_cli_shows_uint8_signature(exported):
    _, saved_model_dir, _ = exported
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    if not os.path.exists(cli):
        pytest.skip(f"saved_model_cli not found beside {sys.executable}")
    shown = subprocess.run(
        [cli, "show", "--dir", saved_model_dir, "--tag_set", "serve",
         "--signature_def", "serving_default"],
        check=True, capture_output=True, text=True, env=_env(),
        timeout=120).stdout

    def tensor_info(kind, name):
        match = re.search(
            rf"{kind}\['{name}'\] tensor_info:\s+dtype: (\w+)\s+"
            r"shape: \(([^)]*)\)", shown)
        assert match, shown
        return match.group(1), match.group(2).replace(" ", "")

    assert tensor_info("inputs", "images") == ("DT_UINT8", "-1,-1,-1,3")
    assert tensor_info("inputs", "style_weights") == (
        "DT_FLOAT", f"-1,{len(STYLE_NAMES)}")
    assert tensor_info("outputs", "stylized") == ("DT_UINT8", "-1,-1,-1,3")


@tf_backend_only
def test_style_names_are_copied_to_json_and_asset(exported):
    model_dir, saved_model_dir, written = exported
    with open(os.path.join(saved_model_dir, "styles.json")) as f:
        copied = json.load(f)
    with open(os.path.join(model_dir, "styles.json")) as f:
        assert copied == json.load(f)
    styles, config = folder_io.read_styles(written["saved_model"])
    assert [s.name for s in styles] == STYLE_NAMES
    assert config == {"alpha": 0.125}
    with open(os.path.join(saved_model_dir, "assets", "styles.txt")) as f:
        assert f.read().splitlines() == STYLE_NAMES
    assert written["style_names"] == os.path.join(
        saved_model_dir, "assets", "styles.txt")


def _tflite_interpreter_class():
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = getattr(tf.lite, "Interpreter", None)
    return Interpreter


def _tflite_runner(path):
    interpreter_class = _tflite_interpreter_class()
    if interpreter_class is None:
        pytest.skip("no TFLite interpreter: pip install ai-edge-litert")
    return interpreter_class(model_path=path).get_signature_runner(
        "serving_default")


def _assert_tflite_matches_saved_model(runner, saved_model_dir, images,
                                       weights):
    import tensorflow as tf

    serve = tf.saved_model.load(saved_model_dir).signatures["serving_default"]
    got = runner(images=images, style_weights=weights)["stylized"]
    want = serve(images=tf.constant(images),
                 style_weights=tf.constant(weights))["stylized"].numpy()
    assert got.dtype == np.uint8 and got.shape == images.shape
    # float16 weights: a few uint8 levels at most.
    assert np.abs(got.astype(int) - want).max() <= 4


@tf_backend_only
def test_tflite_model_matches_saved_model(exported):
    _, saved_model_dir, written = exported
    assert written["tflite"] == os.path.join(saved_model_dir,
                                             "model_float16.tflite")
    runner = _tflite_runner(written["tflite"])
    assert list(runner.get_input_details()["images"]["shape"]) == [
        1, *TFLITE_SIZE, 3]
    images = np.random.default_rng(3).integers(
        0, 256, (1, *TFLITE_SIZE, 3), dtype=np.uint8)
    _assert_tflite_matches_saved_model(runner, saved_model_dir, images,
                                       np.float32([[0.6, 0.4, 0.0]]))


@tf_backend_only
def test_tflite_takes_any_size_by_default(exported, tmp_path):
    model_dir, saved_model_dir, _ = exported
    written = saved_model.export_saved_model(model_dir, str(tmp_path / "out"),
                                             tflite=True)
    runner = _tflite_runner(written["tflite"])
    inputs = runner.get_input_details()
    assert list(inputs["images"]["shape_signature"]) == [1, -1, -1, 3]
    for height, width in [(37, 29), (20, 52)]:
        images = np.random.default_rng(height).integers(
            0, 256, (1, height, width, 3), dtype=np.uint8)
        _assert_tflite_matches_saved_model(runner, saved_model_dir, images,
                                           np.float32([[0.2, 0.5, 0.3]]))


@tf_backend_only
def test_rejects_tflite_size_that_is_not_two_positive_ints(tmp_path):
    for size in [(0, 10), (256,), "big"]:
        with pytest.raises(ValueError, match="tflite_size"):
            saved_model.export_saved_model(str(tmp_path / "model"),
                                           str(tmp_path / "out"), tflite=True,
                                           tflite_size=size)


@tf_backend_only
def test_refuses_existing_output_without_overwrite(exported, tmp_path):
    model_dir, _, _ = exported
    output = tmp_path / "out"
    output.mkdir()
    (output / "keep.txt").write_text("mine")

    with pytest.raises(FileExistsError, match="already exists.*`overwrite`"):
        saved_model.export_saved_model(model_dir, str(output))

    assert os.listdir(tmp_path) == ["out"]
    assert os.listdir(output) == ["keep.txt"]


@tf_backend_only
def test_overwrite_replaces_existing_output(exported, tmp_path):
    model_dir, _, _ = exported
    output = tmp_path / "out"
    output.mkdir()
    (output / "old.txt").write_text("old")

    saved_model.export_saved_model(model_dir, str(output), overwrite=True)

    assert os.listdir(tmp_path) == ["out"]
    assert not (output / "old.txt").exists()
    assert (output / "saved_model.pb").exists()


@pytest.fixture
def failing_tflite(monkeypatch):
    """Makes the TFLite conversion, the last export step, crash."""

    def fail(*args, **kwargs):
        raise RuntimeError("converter crashed")

    monkeypatch.setattr(saved_model, "_tflite_float16", fail)


@tf_backend_only
def test_failed_export_leaves_no_partial_output(exported, tmp_path,
                                                failing_tflite):
    model_dir, _, _ = exported
    output = tmp_path / "saved_models" / "out"

    with pytest.raises(RuntimeError, match="converter crashed"):
        saved_model.export_saved_model(model_dir, str(output), tflite=True)

    assert os.listdir(tmp_path / "saved_models") == []


@tf_backend_only
def test_failed_overwrite_keeps_previous_output(exported, tmp_path,
                                                failing_tflite):
    model_dir, _, _ = exported
    output = tmp_path / "out"
    output.mkdir()
    (output / "old.txt").write_text("old")

    with pytest.raises(RuntimeError):
        saved_model.export_saved_model(model_dir, str(output), tflite=True,
                                       overwrite=True)

    assert os.listdir(tmp_path) == ["out"]
    assert os.listdir(output) == ["old.txt"]


@tf_backend_only
def test_rejects_style_list_that_does_not_match_model(tmp_path):
    model_dir = save_random_model(tmp_path / "trained", STYLE_NAMES)
    folder_io.write_styles(model_dir, [style_set.Style("only_one")])

    with pytest.raises(ValueError, match="lists 1 styles.*paints 3"):
        saved_model.export_saved_model(model_dir, str(tmp_path / "out"))

    assert sorted(os.listdir(tmp_path)) == ["trained"]


@tf_backend_only
def test_rejects_missing_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="No trained model"):
        saved_model.export_saved_model(str(tmp_path / "nowhere"),
                                       str(tmp_path / "out"))


def test_refuses_backends_other_than_tensorflow(tmp_path, monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")

    with pytest.raises(ValueError, match="KERAS_BACKEND=tensorflow"):
        saved_model.export_saved_model(str(tmp_path / "model"),
                                       str(tmp_path / "out"))


def test_cli_reports_bad_input_with_exit_code_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.export",
         f"--model={tmp_path / 'missing'}", f"--output={tmp_path / 'out'}"],
        capture_output=True, text=True, cwd=REPO_ROOT, env=_env(),
        timeout=300)

    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines()
              if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
