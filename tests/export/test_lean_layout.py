"""Tests for multistyle.export.lean_layout: the sub-pixel kernels compute
the layers they stand for."""

import keras
import numpy as np
import pytest

from multistyle.export import lean_layout
from multistyle.network import transformer_net
from multistyle.network.upsampling_conv import UpsamplingConv2D

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the layouts are checked with TensorFlow's ops")


def _conv(x, kernel, strides=1):
    import tensorflow as tf

    return tf.nn.conv2d(x, kernel, strides, "VALID").numpy()


def test_half_resolution_conv_makes_the_same_sums():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    layer = keras.layers.Conv2D(3, 9, use_bias=True)
    layer.build((None, None, None, 4))
    layer.kernel.assign(rng.normal(size=(9, 9, 4, 3)))
    layer.bias.assign(rng.normal(size=3))
    x = rng.normal(size=(2, 20, 14, 4)).astype(np.float32)  # Even sides.

    conv = lean_layout.conv_layout(layer, even=True)
    got = tf.nn.depth_to_space(_conv(tf.nn.space_to_depth(x, 2),
                                     conv.kernel) + conv.bias, 2).numpy()

    assert conv.half_resolution and conv.kernel.shape == (5, 5, 16, 12)
    np.testing.assert_allclose(got, keras.ops.convert_to_numpy(layer(x)),
                               atol=1e-4)


def test_convs_on_odd_sides_or_with_many_filters_run_as_they_are():
    layer = keras.layers.Conv2D(lean_layout.FEW_FILTERS, 3, use_bias=False)
    layer.build((None, None, None, 4))
    few = keras.layers.Conv2D(3, 9, use_bias=False)
    few.build((None, None, None, 4))

    assert not lean_layout.conv_layout(layer, even=True).half_resolution
    assert not lean_layout.conv_layout(few, even=False).half_resolution
    np.testing.assert_array_equal(
        lean_layout.conv_layout(few, even=False).kernel,
        keras.ops.convert_to_numpy(few.kernel))


def test_rejects_padded_convolutions():
    layer = keras.layers.Conv2D(4, 3, padding="same")
    layer.build((None, None, None, 4))

    with pytest.raises(ValueError, match="padding=same"):
        lean_layout.conv_layout(layer, even=False)


def test_upsampling_kernel_makes_the_four_phases_of_the_layer():
    import tensorflow as tf

    rng = np.random.default_rng(1)
    layer = UpsamplingConv2D(5)
    x = rng.normal(size=(2, 7, 6, 4)).astype(np.float32)
    want = keras.ops.convert_to_numpy(layer(x))

    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="edge")
    got = tf.nn.depth_to_space(
        _conv(padded, lean_layout.upsampling_kernel(layer)), 2).numpy()

    np.testing.assert_allclose(got, want, atol=1e-5)


def test_style_tables_split_into_each_norms_gamma_and_beta():
    net = transformer_net.build_transformer_net(3, alpha=0.125)
    norms, tables, sizes = lean_layout.style_tables(net)

    pieces = np.split(tables, np.cumsum(sizes)[:-1], axis=1)

    assert norms == transformer_net.conditional_norm_layers(net)
    for i, norm in enumerate(norms):
        for piece, table in zip(pieces[2 * i:2 * i + 2],
                                (norm.gamma, norm.beta)):
            np.testing.assert_array_equal(
                piece, keras.ops.convert_to_numpy(table))


def test_rejects_activations_it_does_not_lay_out():
    net = transformer_net.build_transformer_net(3, alpha=0.125)
    norm = transformer_net.conditional_norm_layers(net)[0]
    norm.activation = keras.activations.get("tanh")

    with pytest.raises(ValueError, match="'tanh' in layer 'down1_norm'"):
        lean_layout.activation(norm)
