"""Networks with clipped or fixed statistics export like the paper's:
the SavedModel paints as Keras, TFLite and both ONNX models as the
SavedModel."""

import os

import keras
import numpy as np
import pytest

from multistyle.export import saved_model
from multistyle.io import image_io
from multistyle.model_folder import folder_io
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import save_random_model
from tests.export.test_onnx_models import SIZES
from tests.export.test_onnx_models import assert_onnx_matches_signature
from tests.export.test_saved_model import _assert_tflite_matches_saved_model
from tests.export.test_saved_model import _tflite_runner

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="export runs on the TensorFlow backend only")


@pytest.fixture(scope="module", params=["clipped", "fixed_residual_decoder"])
def exported(request, tmp_path_factory):
    """(model folder, exported folder) of a random model of one
    normalization."""
    root = tmp_path_factory.mktemp(request.param)
    model_dir = save_random_model(root / "trained",
                                  normalization=request.param)
    saved_model.export_saved_model(model_dir, str(root / "exported"),
                                   tflite=True, onnx=True)
    return model_dir, str(root / "exported")


def _batch(shape):
    rng = np.random.default_rng(shape[1])
    images = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    weights = rng.dirichlet(np.ones(len(TEST_STYLE_NAMES)),
                            shape[0]).astype(np.float32)
    return images, weights


@pytest.mark.parametrize("shape", [(1, 37, 29), (2, 64, 48)])
def test_saved_model_paints_as_keras(exported, shape):
    import tensorflow as tf

    model_dir, saved_model_dir = exported
    net = folder_io.read_network(model_dir)
    images, weights = _batch(shape)
    want = image_io.to_uint8(keras.ops.convert_to_numpy(
        net([image_io.to_float(images), weights])))
    got = tf.saved_model.load(saved_model_dir).signatures[
        folder_io.SIGNATURE_KEY](
            images=tf.constant(images), style_weights=tf.constant(weights))[
                folder_io.OUTPUT_KEY].numpy()
    assert np.abs(got.astype(int) - want).max() <= 1


def test_tflite_paints_as_the_saved_model(exported):
    _, saved_model_dir = exported
    images, weights = _batch((1, 45, 33))
    _assert_tflite_matches_saved_model(
        _tflite_runner(os.path.join(saved_model_dir,
                                    folder_io.TFLITE_FILENAME)),
        saved_model_dir, images, weights)


@pytest.mark.parametrize("shape", SIZES)
def test_onnx_models_paint_as_the_saved_model(exported, shape):
    _, saved_model_dir = exported
    images, weights = _batch(shape)
    assert_onnx_matches_signature(
        os.path.join(saved_model_dir, folder_io.ONNX_FILENAME),
        saved_model_dir, folder_io.SIGNATURE_KEY, images, weights)
    # Two regions of one style each, and a blend across the image.
    masks = np.zeros((*shape, len(TEST_STYLE_NAMES)), np.float32)
    masks[:, :, :shape[2] // 2, 0] = 1.0
    masks[:, :, shape[2] // 2:, 1:] = 0.5
    assert_onnx_matches_signature(
        os.path.join(saved_model_dir, folder_io.ONNX_MASKS_FILENAME),
        saved_model_dir, folder_io.MASKS_SIGNATURE_KEY, images, masks)
