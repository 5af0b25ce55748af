"""Tests for multistyle.export.tf_network: the network laid out as
TensorFlow ops paints as Keras, and the TFLite model converted from it
is lean and paints as the SavedModel."""

import collections
import os

import keras
import numpy as np
import pytest

from multistyle.export import saved_model
from multistyle.model_folder import folder_io
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import save_random_model
from tests.export.test_saved_model import _tflite_runner

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="export runs on the TensorFlow backend only")
# Odd sizes, one below the network's smallest side (padded in the graph).
SIZES = [(37, 29), (64, 48), (9, 12)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A SavedModel folder with its TFLite model (any size)."""
    root = tmp_path_factory.mktemp("tflite")
    model_dir = save_random_model(root / "trained")
    output = str(root / "exported")
    saved_model.export_saved_model(model_dir, output, tflite=True)
    return output


def _tflite_op_counts(path):
    from ai_edge_litert import interpreter as litert

    return collections.Counter(
        op["op_name"] for op in litert.Interpreter(
            model_path=path)._get_ops_details())


@pytest.mark.parametrize("normalization",
                         ["instance", "clipped", "fixed_residual_decoder"])
def test_lean_network_paints_as_the_keras_network(tmp_path, normalization):
    import tensorflow as tf

    from multistyle.export import tf_network

    net = folder_io.read_network(save_random_model(
        tmp_path / "model", normalization=normalization))
    lean = tf_network.LeanNetwork(net)
    rng = np.random.default_rng(0)
    for shape in [(1, 37, 29, 3), (2, 20, 52, 3)]:
        images = rng.random(shape, np.float32)
        weights = rng.dirichlet(np.ones(len(TEST_STYLE_NAMES)),
                                shape[0]).astype(np.float32)

        got = lean([tf.constant(images), tf.constant(weights)]).numpy()

        want = keras.ops.convert_to_numpy(net([images, weights]))
        assert got.shape == shape
        np.testing.assert_allclose(got, want, atol=2e-4)


def test_tflite_graph_has_one_op_per_layer_and_no_slow_path_ops(exported):
    counts = _tflite_op_counts(os.path.join(exported,
                                            folder_io.TFLITE_FILENAME))
    # 16 convolutions (each upsampling one makes its four phases, the
    # output one runs at half resolution), one blend of all the style
    # tables. The random model's 16 norms are all "instance": two means
    # each, and two more for each of the 3 that normalize phases.
    assert counts["CONV_2D"] == 16, counts
    assert counts["FULLY_CONNECTED"] == 1, counts
    assert counts["DEPTH_TO_SPACE"] == 3, counts
    assert counts["SPACE_TO_DEPTH"] == 1, counts
    assert counts["MEAN"] == 2 * 16 + 2 * 3, counts
    # Converted op by op, the SavedModel's graph had 16 MIRROR_PADs
    # (outside XNNPACK, most of the time), 34 reshapes and 11 packs of
    # per-layer shape arithmetic.
    assert counts["MIRROR_PAD"] == 0, counts
    assert counts["RESHAPE"] <= 1 + 2 * 3, counts
    assert counts["PACK"] <= 3, counts


@pytest.mark.parametrize("height,width", SIZES)
def test_tflite_paints_as_the_saved_model(exported, height, width):
    import tensorflow as tf

    runner = _tflite_runner(os.path.join(exported,
                                         folder_io.TFLITE_FILENAME))
    rng = np.random.default_rng(height)
    images = rng.integers(0, 256, (1, height, width, 3), dtype=np.uint8)
    weights = rng.dirichlet(np.ones(len(TEST_STYLE_NAMES)),
                            1).astype(np.float32)

    got = runner(images=images, style_weights=weights)[
        folder_io.OUTPUT_KEY]

    want = tf.saved_model.load(exported).signatures[
        folder_io.SIGNATURE_KEY](images=tf.constant(images),
                                 style_weights=tf.constant(weights))[
        folder_io.OUTPUT_KEY].numpy()
    assert got.dtype == np.uint8 and got.shape == images.shape
    # float16 weights: a level or two.
    assert np.abs(got.astype(int) - want).max() <= 2
