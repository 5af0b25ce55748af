"""What the exports laid out from the network's weights share.

`onnx_network` (NCHW ONNX ops) and `tf_network` (NHWC TensorFlow ops,
converted to TFLite) build the transformer network from its weights
instead of converting Keras's graph op by op. Both walk its layers in the
same order (`walk`), blend the style tables of all norms with one matrix
product (`style_tables`) and use the same two sub-pixel layouts, whose
kernels are rearranged here (HWIO, as Keras stores them):

- `upsampling_kernel`: `UpsamplingConv2D` as one 3x3 convolution of the
  edge-padded input that makes the four output phases at the input's
  resolution; a depth-to-space by 2 interleaves them.
- `conv_layout` with `half_resolution`: a stride-1 convolution with few
  filters on features of even sides (the output layer's 3) runs between
  a space-to-depth and a depth-to-space by 2, with 4x the input channels
  and 4x the filters. CPU runtimes compute convolutions in blocks of 8
  or 16 filters: 3 would leave most of each block idle.

Depth-to-space and space-to-depth order channels `(row phase, column
phase, channel)` in both runtimes (ONNX's `DepthToSpace` in DCR mode), so
one rearrangement serves both.
"""

import collections

import keras
import numpy as np

from multistyle.network import conditional_instance_norm
from multistyle.network import transformer_net
from multistyle.network.upsampling_conv import UpsamplingConv2D

# Stride-1 convolutions with fewer filters, on features of even sides,
# run at half resolution (`conv_layout`): the output layer's 3.
FEW_FILTERS = 8
# The activations (Keras names) the exports lay out.
ACTIVATIONS = ("relu", "sigmoid", "linear")
# Window taps (rows) from kernel taps (columns) of `UpsamplingConv2D`, per
# output phase: even outputs read the edge-padded input at (m, m + 1) with
# taps (k0, k1 + k2), odd ones at (m + 1, m + 2) with (k0 + k1, k2)
# (`upsampling_conv._phase_taps`), placed in a 3x3 window.
_PHASE_WINDOWS = np.float32([[[1, 0, 0], [0, 1, 1], [0, 0, 0]],
                             [[0, 0, 0], [1, 1, 0], [0, 0, 1]]])

# A convolution as an export lays it out: `kernel` HWIO and `bias` (or
# None) float32, `strides`, and whether it runs at half resolution.
ConvLayout = collections.namedtuple(
    "ConvLayout", ["kernel", "bias", "strides", "half_resolution"])


def wiring(model):
    """A fresh network built from `model`'s config, whose layers each have
    a single call: the order `walk` follows (it builds variables, so not
    while tracing a `tf.function`)."""
    return transformer_net.rebuilt(model, spatial_weights=False,
                                   padded_inputs=False)


def walk(model, images, style_weights, layer_ops, wired=None):
    """Lays out `model` layer by layer, in the order of its wiring.

    The layers are walked in the order of `wiring(model)` and read their
    weights from the model by name: the export follows the network's
    wiring instead of restating it.

    Args:
        model: A `TransformerNet` (as `folder_io.read_network` gives).
        images: The runtime's value of the images.
        style_weights: The runtime's value of the style weights.
        layer_ops: Makes each layer's ops; its methods take the layer of
            `model` and its input value(s) and return the output value:
            `reflect_pad(layer, x)`, `conv(layer, x, even)` (`even`: the
            features' sides are even), `norm(layer, x, resolution)`
            (`resolution`: a key of the features' height and width, the
            same for all values of that size), `add(layer, values)` and
            `upsampling_conv(layer, x)`.
        wired: `wiring(model)`, if made already.

    Returns:
        The output value, of the decoder's size: the images' rounded up
        to a multiple of `transformer_net.DOWNSAMPLING_FACTOR` (the
        caller crops).

    Raises:
        ValueError: If the network holds a layer the exports do not know.
    """
    if wired is None:
        wired = wiring(model)
    images_input, weights_input = wired.inputs
    values = {id(images_input): images, id(weights_input): style_weights}
    # Keras tensor -> a key of its height and width, and the keys of
    # doubled, so even, sides (padding on both sides keeps them even).
    resolution = {id(images_input): "input"}
    upsampled = set()
    for layer in wired.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        inputs = layer.input if isinstance(layer.input, list) else [
            layer.input]
        key = resolution[id(inputs[0])]
        output = _layer(layer_ops, model.get_layer(layer.name),
                        [values[id(t)] for t in inputs], key,
                        even=key in upsampled)
        if isinstance(layer, UpsamplingConv2D):
            key = layer.name
            upsampled.add(key)
        elif (isinstance(layer, keras.layers.Conv2D)
              and tuple(layer.strides) != (1, 1)):
            key = layer.name
        resolution[id(layer.output)] = key
        values[id(layer.output)] = output
    return values[id(wired.output)]


def _layer(layer_ops, layer, args, resolution, even):
    if isinstance(layer, transformer_net.ReflectionPadding2D):
        return layer_ops.reflect_pad(layer, args[0])
    if isinstance(layer, keras.layers.Conv2D):
        return layer_ops.conv(layer, args[0], even)
    if isinstance(layer, conditional_instance_norm.ConditionalInstanceNorm):
        return layer_ops.norm(layer, args[0], resolution)
    if isinstance(layer, keras.layers.Add):
        return layer_ops.add(layer, args)
    if isinstance(layer, UpsamplingConv2D):
        return layer_ops.upsampling_conv(layer, args[0])
    if isinstance(layer, transformer_net.CropToMatch):
        return args[0]  # The caller crops once, with the small-image pad.
    raise ValueError(
        f"The export knows no layer of type {type(layer).__name__} "
        f"(layer '{layer.name}').")


def conv_layout(layer, even):
    """How a `Conv2D` layer runs (`ConvLayout`): as it is, or with few
    filters on features of even sides (`even`) at half resolution.

    At half resolution, output pixel `(2i + a, 2j + b)` reads input
    `(2i + a + dy, 2j + b + dx)`, which lies in block `(i + ky, j + kx)`
    at phase `(p, q)` for `dy = 2 ky + p - a` (and alike across): a
    convolution of `(k + 1) // 2` taps of the blocks makes each of the 4
    output phases, the same sums.

    Raises:
        ValueError: If the convolution is padded, dilated or grouped.
    """
    if (layer.padding != "valid" or tuple(layer.dilation_rate) != (1, 1)
            or layer.groups != 1):
        raise ValueError(
            "The export takes valid, undilated, ungrouped convolutions. "
            f"Received: layer '{layer.name}' with padding={layer.padding}, "
            f"dilation_rate={layer.dilation_rate}, groups={layer.groups}")
    kernel = _numpy(layer.kernel)
    bias = _numpy(layer.bias) if layer.use_bias else None
    strides = tuple(layer.strides)
    if not (even and layer.filters < FEW_FILTERS and strides == (1, 1)):
        return ConvLayout(kernel, bias, strides, False)
    size, _, in_channels, filters = kernel.shape
    taps = (size + 1) // 2
    phased = np.zeros((taps, taps, 2, 2, in_channels, 2, 2, filters),
                      np.float32)
    for a, b, p, q, ky, kx in np.ndindex(2, 2, 2, 2, taps, taps):
        dy, dx = 2 * ky + p - a, 2 * kx + q - b
        if 0 <= dy < size and 0 <= dx < size:
            phased[ky, kx, p, q, :, a, b, :] = kernel[dy, dx]
    return ConvLayout(
        phased.reshape(taps, taps, 4 * in_channels, 4 * filters),
        None if bias is None else np.tile(bias, 4), (1, 1), True)


def upsampling_kernel(layer):
    """The 3x3 kernel, HWIO `(3, 3, in, 4 * filters)`, that makes the four
    output phases of an `UpsamplingConv2D` (even/odd rows x even/odd
    columns, phase-major) from its edge-padded input: the multiply-adds
    of the upsampled 3x3 convolution, without building the upsampled
    input, and with 4x the filters per convolution."""
    return _phased(layer, lambda phase: _PHASE_WINDOWS[phase])


def upsampling_taps(layer):
    """The 2x2 kernel, HWIO `(2, 2, in, 4 * filters)`, of each output
    phase of an `UpsamplingConv2D` (phase-major): each phase reads two
    rows and two columns of the edge-padded input, so its taps are its
    3x3 window without the zero row and column. Phase `(r, c)`'s output
    at `(m, n)` is this convolution's at `(m + r, n + c)`: 4/9 of the
    multiply-adds of `upsampling_kernel`, for a shifted slice per
    phase."""
    return _phased(layer, lambda phase: _PHASE_WINDOWS[phase][
        phase:phase + 2])


def _phased(layer, windows):
    """`UpsamplingConv2D`'s kernel with its taps summed into each output
    phase's `windows(row phase)` and `windows(column phase)`."""
    kernel = _numpy(layer.kernel)
    phased = np.stack([
        np.einsum("yi,xj,ijcf->yxcf", windows(r), windows(c), kernel)
        for r in range(2) for c in range(2)], axis=3)
    return phased.reshape(*phased.shape[:3], -1)


def style_tables(model):
    """The gamma and beta tables of all the norms side by side.

    Returns:
        `(norms, tables, sizes)`: the `ConditionalInstanceNorm` layers in
        order, float32 `(num_styles, columns)` with each norm's gamma
        table and then its beta table, and the columns of each table:
        `style_weights @ tables`, split by `sizes`, gives norm `i`'s
        blended gamma and beta as pieces `2 i` and `2 i + 1`.
    """
    norms = transformer_net.conditional_norm_layers(model)
    pieces = [_numpy(table) for norm in norms
              for table in (norm.gamma, norm.beta)]
    return norms, np.concatenate(pieces, axis=1), [
        piece.shape[1] for piece in pieces]


def activation(layer):
    """The Keras name of `layer`'s activation, one of `ACTIVATIONS`.

    Raises:
        ValueError: If the exports do not lay it out.
    """
    name = keras.activations.serialize(layer.activation)
    if name not in ACTIVATIONS:
        raise ValueError(
            f"The export takes the activations {sorted(ACTIVATIONS)}. "
            f"Received: '{name}' in layer '{layer.name}'")
    return name


def _numpy(weight):
    return keras.ops.convert_to_numpy(weight).astype(np.float32)
