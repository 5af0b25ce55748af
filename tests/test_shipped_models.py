"""The models shipped in saved_models/ still load and paint."""

import os

import keras
import numpy as np
import pytest

from multistyle.io import image_io
from multistyle.model_folder import folder_io
from multistyle.network import transformer_net
from tests.conftest import REPO_ROOT

_SHIPPED = ["multistyle16", "multistyle16_lite"]


def _folder(name):
    return os.path.join(REPO_ROOT, "saved_models", name)


def _photo():
    rng = np.random.default_rng(0)
    small = rng.random((6, 8, 3), np.float32)
    return np.repeat(np.repeat(small, 8, axis=0), 8, axis=1)[None]


@pytest.mark.parametrize("name", _SHIPPED)
def test_shipped_model_keras_loads_and_paints_each_style_its_own_way(name):
    net, styles, _ = folder_io.read(_folder(name))
    assert len(styles) == transformer_net.num_styles_of(net) == 16
    photo = _photo()
    out = [np.asarray(net([photo, np.eye(16, dtype=np.float32)[[i]]]))
           for i in (0, 1)]
    assert out[0].shape == photo.shape
    assert 0.0 <= out[0].min() and out[0].max() <= 1.0
    assert np.abs(out[0] - out[1]).mean() > 0.02


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="the SavedModel runs with TensorFlow")
@pytest.mark.parametrize("name", _SHIPPED)
def test_shipped_model_keras_paints_as_its_saved_model(name):
    import tensorflow as tf

    folder = _folder(name)
    net = folder_io.read_network(folder)
    serve = folder_io.read_saved_model(folder).signatures[
        folder_io.SIGNATURE_KEY]
    photo = image_io.to_uint8(_photo())
    weights = np.eye(16, dtype=np.float32)[[4]]
    from_keras = image_io.to_uint8(net([image_io.to_float(photo), weights]))
    from_saved_model = serve(images=tf.constant(photo),
                             style_weights=tf.constant(weights))[
        folder_io.OUTPUT_KEY].numpy()
    assert np.abs(from_saved_model.astype(int) - from_keras).max() <= 2


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="the SavedModel runs with TensorFlow")
@pytest.mark.parametrize("name", _SHIPPED)
def test_shipped_onnx_models_paint_as_the_saved_model(name):
    from tests.export.test_onnx_models import assert_onnx_matches_signature

    folder = _folder(name)
    photo = image_io.to_uint8(_photo())[:, :37, :45]  # Odd sides.
    weights = np.float32([[0.5] + [0.0] * 14 + [0.5]])
    assert_onnx_matches_signature(
        os.path.join(folder, folder_io.ONNX_FILENAME), folder,
        folder_io.SIGNATURE_KEY, photo, weights)
    masks = np.zeros((*photo.shape[:3], 16), np.float32)
    masks[:, :, :20, 3] = masks[:, :, 20:, 9] = 1.0
    assert_onnx_matches_signature(
        os.path.join(folder, folder_io.ONNX_MASKS_FILENAME), folder,
        folder_io.MASKS_SIGNATURE_KEY, photo, masks)


@pytest.mark.parametrize("name", _SHIPPED)
def test_shipped_model_card_names_no_local_paths(name):
    with open(os.path.join(_folder(name), "README.md"), encoding="utf-8") as f:
        card = f.read()
    for local in ("/root/", "/home/", "/work/", "/tmp/"):
        assert local not in card


def _lean_onnx(folder, filename=folder_io.ONNX_FILENAME):
    """The path of a shipped ONNX file of the lean export (`onnx_models`,
    and its int8 model); skips files of older exports (refresh them with
    `multistyle-export --onnx_only`, BENCHMARKS.md)."""
    import onnx

    path = os.path.join(folder, filename)
    if not os.path.isfile(path):
        pytest.skip(f"{path} is not shipped")
    float_model = os.path.join(folder, folder_io.ONNX_FILENAME)
    if onnx.load(float_model).producer_name != "multistyle":
        pytest.skip(f"{float_model} predates the lean ONNX export")
    return path


@pytest.mark.parametrize("name", _SHIPPED)
def test_shipped_onnx_model_changes_layout_once_at_each_end(name, tmp_path):
    from tests.export.test_onnx_models import optimized_op_counts

    path = _lean_onnx(_folder(name))
    assert optimized_op_counts(path, tmp_path)["Transpose"] <= 2


@pytest.mark.parametrize("name", _SHIPPED)
def test_shipped_int8_onnx_model_paints_within_tolerance(name):
    from tests.export.test_onnx_models import session
    from tests.export.test_onnx_quantization import assert_within_tolerance

    folder = _folder(name)
    path = _lean_onnx(folder, folder_io.ONNX_INT8_FILENAME)
    feeds = {"images": image_io.to_uint8(_photo()),
             "style_weights": np.eye(16, dtype=np.float32)[[7]]}
    want, = session(os.path.join(folder, folder_io.ONNX_FILENAME)).run(
        None, feeds)
    got, = session(path).run(None, feeds)
    assert_within_tolerance(got, want)
