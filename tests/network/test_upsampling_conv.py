import keras
import numpy as np
import pytest

from multistyle.network import transformer_net
from multistyle.network.upsampling_conv import UpsamplingConv2D


def _three_layer_reference(layer, x):
    """UpSampling2D -> 1-pixel reflect pad -> Conv2D, with `layer`'s kernel."""
    upsampled = keras.layers.UpSampling2D(2, interpolation="nearest")(x)
    padded = transformer_net.ReflectionPadding2D(1)(upsampled)
    conv = keras.layers.Conv2D(layer.filters, 3, use_bias=False)
    conv.build(padded.shape)
    conv.set_weights(layer.get_weights())
    return conv(padded)


@pytest.mark.parametrize("height,width", [(1, 1), (5, 7), (16, 9)])
def test_equals_upsampling_padding_and_convolution(height, width):
    x = np.random.default_rng(0).normal(size=(2, height, width, 6))
    layer = UpsamplingConv2D(4)
    out = np.asarray(layer(x.astype("float32")))
    assert out.shape == (2, 2 * height, 2 * width, 4)
    np.testing.assert_allclose(
        out, np.asarray(_three_layer_reference(layer, x.astype("float32"))),
        atol=1e-5)


def test_bfloat16_stays_close_to_float32():
    x = np.random.default_rng(3).normal(size=(1, 8, 8, 16)).astype("float32")
    full = UpsamplingConv2D(8)
    half = UpsamplingConv2D(8, dtype="bfloat16")
    full.build(x.shape)
    half.build(x.shape)
    half.set_weights(full.get_weights())
    expected = np.asarray(full(x))
    out = np.asarray(keras.ops.cast(half(x), "float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    np.testing.assert_allclose(out, expected, atol=0.05 * np.abs(
        expected).max())


def test_config_and_keras_file_round_trip(tmp_path):
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, UpsamplingConv2D(5, name="up")(inputs))
    path = str(tmp_path / "up.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(4).random((1, 7, 3, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)),
                               atol=1e-6)
    assert loaded.get_layer("up").filters == 5
