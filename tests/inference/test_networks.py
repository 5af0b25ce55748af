"""The networks of a model folder take the photo's uint8 pixels
(`networks`), and per-pixel weights of some styles."""

import os

import keras
import numpy as np
import pytest

from multistyle.inference import networks
from multistyle.io import image_io
from tests.conftest import REPO_ROOT

LITE_MODEL = os.path.join(REPO_ROOT, "saved_models", "multistyle16_lite")


@pytest.mark.parametrize("runtime",
                         ["keras", "saved_model", "tflite", "onnx",
                          "onnx_int8"])
def test_networks_take_uint8_images_as_their_float_values(runtime):
    if runtime == "saved_model" and keras.backend.backend() != "tensorflow":
        pytest.skip("The SavedModel runs with TensorFlow, on its backend.")
    network = networks.load_network(LITE_MODEL, runtime=runtime)
    images = np.random.default_rng(0).integers(0, 256, (2, 21, 34, 3),
                                               np.uint8)
    weights = np.eye(16, dtype=np.float32)[[3, 9]]

    from_uint8 = network(images, weights)
    painted = network.paint(images, weights)

    assert from_uint8.dtype == np.float32
    np.testing.assert_array_equal(
        from_uint8, network(image_io.to_float(images), weights))
    # `paint` gives the runtime's own output: uint8 from the exported
    # graphs, which take and make uint8 themselves.
    assert painted.dtype == (np.float32 if runtime == "keras" else np.uint8)
    np.testing.assert_array_equal(image_io.as_float(painted), from_uint8)


def test_per_pixel_weights_of_some_styles_paint_as_all_styles(model_dir):
    network = networks.load_network(model_dir, runtime="keras")
    images = np.random.default_rng(1).integers(0, 256, (1, 30, 44, 3),
                                               np.uint8)
    weights = np.zeros((1, 30, 44, 3), np.float32)
    weights[..., 0] = np.linspace(0.0, 1.0, 44)
    weights[..., 2] = 1.0 - weights[..., 0]

    some = network(images, weights[..., [0, 2]], styles=[0, 2])
    every = network(images, weights)

    np.testing.assert_allclose(some, every, atol=0.5 / 255)
    # Vectors of some styles are spread over all of them.
    np.testing.assert_allclose(
        network(images, np.float32([[0.3, 0.7]]), styles=[2, 0]),
        network(images, np.float32([[0.7, 0.0, 0.3]])), atol=1e-6)
