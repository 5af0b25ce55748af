"""The transformer network laid out as ONNX ops, NCHW, from its weights.

Each Keras layer becomes the ONNX ops that runtimes have fast kernels
for: `ReflectionPadding2D` a `Pad` (mode reflect), `Conv2D` a `Conv`
(the output layer's, with 3 filters, at half resolution between
`SpaceToDepth` and `DepthToSpace`), `UpsamplingConv2D` an edge `Pad`, one
`Conv` that makes its four output phases at the input's resolution and a
`DepthToSpace` that interleaves them, `Add` an `Add`. A
`ConditionalInstanceNorm` (Dumoulin et al. 2017) with instance
statistics is ONNX's `InstanceNormalization` with the blended gamma and
beta as its scale and bias: the features are viewed, without a copy, as
one example of `batch * channels` maps, so each image gets its own
`style_weights @ gamma_table`. Fixed statistics are the per-style affine
map `x * gamma + beta` alone, clipped ones their clip passes in plain
ops. With per-pixel weights (the masks model) each norm mixes its
styles' scales and shifts per pixel with batched matrix products, as
`ConditionalInstanceNorm` does. One `MatMul` blends the style tables of
all norms.

The layers are walked in the order of a fresh network built from the
model's config (`transformer_net.rebuilt`, whose layers each have a
single call) and read their weights from the model by name: the export
follows the network's wiring instead of restating it.
"""

import keras
import numpy as np

from multistyle.network import conditional_instance_norm
from multistyle.network import transformer_net
from multistyle.network.upsampling_conv import UpsamplingConv2D

_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "linear": None}
# Stride-1 convolutions with fewer filters on features of even sides run
# at half resolution (`_space_to_depth_conv`): the output layer's 3.
_FEW_FILTERS = 8


def add_network(g, model, images, style_weights, per_pixel):
    """Adds `model`'s ops to the graph `g`.

    Args:
        g: An `onnx_graph.Graph`.
        model: A `TransformerNet` (as `folder_io.read_network` gives).
        images: Name of float32 RGB in [0, 1], NCHW, sides >= `MIN_SIDE`.
        style_weights: Name of float32 weights, `(batch, num_styles)`, or
            with `per_pixel` `(batch, height, width, num_styles)` of the
            images' size (NHWC).
        per_pixel: Whether `style_weights` are per pixel.

    Returns:
        The name of the output, float32 RGB in [0, 1], NCHW, of the
        decoder's size: the images' rounded up to a multiple of
        `transformer_net.DOWNSAMPLING_FACTOR` (the caller crops).

    Raises:
        ValueError: If the network holds a layer this export does not
            know.
    """
    wiring = transformer_net.rebuilt(model, spatial_weights=False,
                                     padded_inputs=False)
    norms = _Norms(g, model, style_weights, per_pixel)
    images_input, weights_input = wiring.inputs
    values = {id(images_input): images, id(weights_input): style_weights}
    # Value -> a key of its height and width (the per-pixel weights are
    # resized once per key), and the keys of doubled, so even, sides
    # (padding on both sides keeps them even).
    resolution = {images: "input"}
    upsampled = set()
    for layer in wiring.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        inputs = layer.input if isinstance(layer.input, list) else [
            layer.input]
        args = [values[id(t)] for t in inputs]
        key = resolution[args[0]]
        output = _layer(g, model.get_layer(layer.name), args, norms, key,
                        even=key in upsampled)
        if isinstance(layer, UpsamplingConv2D):
            key = layer.name
            upsampled.add(key)
        elif (isinstance(layer, keras.layers.Conv2D)
              and tuple(layer.strides) != (1, 1)):
            key = layer.name
        resolution[output] = key
        values[id(layer.output)] = output
    return values[id(wiring.output)]


def _layer(g, layer, args, norms, resolution, even):
    """The ONNX ops of one Keras layer, whose input has the height and
    width of `resolution` (a key), even ones if `even`; returns the
    output's name."""
    name = layer.name
    if isinstance(layer, transformer_net.ReflectionPadding2D):
        return _reflect_pad(g, args[0], layer.padding, name)
    if isinstance(layer, keras.layers.Conv2D):
        return _conv(g, layer, args[0], even)
    if isinstance(layer, conditional_instance_norm.ConditionalInstanceNorm):
        return _activation(g, norms.apply(layer, args[0], resolution),
                           layer)
    if isinstance(layer, keras.layers.Add):
        return g.op("Add", *args, name=name)
    if isinstance(layer, UpsamplingConv2D):
        return _upsampling_conv(g, layer, args[0])
    if isinstance(layer, transformer_net.CropToMatch):
        return args[0]  # The caller crops once, with the small-image pad.
    raise ValueError(
        f"The ONNX export knows no layer of type {type(layer).__name__} "
        f"(layer '{name}').")


def _reflect_pad(g, x, padding, name):
    p = padding
    return g.op("Pad", x, g.constant(np.int64([0, 0, p, p, 0, 0, p, p]),
                                     f"{name}_pads"),
                mode="reflect", name=name)


def _conv(g, layer, x, even):
    if (layer.padding != "valid" or tuple(layer.dilation_rate) != (1, 1)
            or layer.groups != 1):
        raise ValueError(
            "The ONNX export takes valid, undilated, ungrouped "
            f"convolutions. Received: layer '{layer.name}' with padding="
            f"{layer.padding}, dilation_rate={layer.dilation_rate}, "
            f"groups={layer.groups}")
    kernel = keras.ops.convert_to_numpy(layer.kernel).astype(np.float32)
    bias = (keras.ops.convert_to_numpy(layer.bias).astype(np.float32)
            if layer.use_bias else None)
    if (even and layer.filters < _FEW_FILTERS
            and tuple(layer.strides) == (1, 1)):
        return _space_to_depth_conv(g, layer.name, x, kernel, bias)
    inputs = [x, g.constant(kernel.transpose(3, 2, 0, 1),
                            f"{layer.name}_kernel")]
    if bias is not None:
        inputs.append(g.constant(bias, f"{layer.name}_bias"))
    return g.op("Conv", *inputs, kernel_shape=list(kernel.shape[:2]),
                strides=list(layer.strides), name=layer.name)


def _space_to_depth_conv(g, name, x, kernel, bias):
    """A stride-1 convolution with few filters, on features of even
    height and width (the output layer's), run at half resolution:
    `SpaceToDepth` by 2, a convolution of `(k + 1) // 2` taps that makes
    each of the 4 output phases, `DepthToSpace` by 2.

    The same sums: output pixel `(2i + a, 2j + b)` reads input
    `(2i + a + dy, 2j + b + dx)`, which lies in block `(i + ky, j + kx)`
    at phase `(p, q)` for `dy = 2 ky + p - a` (and alike across). CPU
    runtimes compute convolutions in blocks of 8 or 16 filters; 3 filters
    would leave most of each block idle, 12 fill most of it, and the
    4x more input channels suit them too.
    """
    size, _, in_channels, filters = kernel.shape
    taps = (size + 1) // 2
    phased = np.zeros((2, 2, filters, 2, 2, in_channels, taps, taps),
                      np.float32)
    for a, b, p, q, ky, kx in np.ndindex(2, 2, 2, 2, taps, taps):
        dy, dx = 2 * ky + p - a, 2 * kx + q - b
        if 0 <= dy < size and 0 <= dx < size:
            phased[a, b, :, p, q, :, ky, kx] = kernel[dy, dx].T
    inputs = [g.op("SpaceToDepth", x, blocksize=2, name=f"{name}_blocks"),
              g.constant(phased.reshape(4 * filters, 4 * in_channels, taps,
                                        taps), f"{name}_kernel")]
    if bias is not None:
        inputs.append(g.constant(np.tile(bias, 4), f"{name}_bias"))
    return g.op("DepthToSpace", g.op(
        "Conv", *inputs, kernel_shape=[taps, taps], name=name),
                blocksize=2, mode="DCR", name=f"{name}_phases")


def _upsampling_conv(g, layer, x):
    """`UpsamplingConv2D` at the input's resolution: each of the four
    output phases (even/odd rows x even/odd columns) is a convolution of
    the edge-padded input with the phase's taps of the 3x3 kernel
    (`upsampling_conv._phase_taps`, placed in a 3x3 window), one
    convolution makes all four, and `DepthToSpace` interleaves them. The
    multiply-adds of the upsampled 3x3 convolution, without building the
    upsampled input, and with 4x the filters per convolution, which CPU
    runtimes fill their blocks of filters with."""
    name = layer.name
    kernel = keras.ops.convert_to_numpy(layer.kernel).astype(np.float32)
    # Window taps (rows) from kernel taps (columns), per output phase:
    # even outputs read padded (m, m + 1) with taps (k0, k1 + k2), odd
    # ones (m + 1, m + 2) with (k0 + k1, k2).
    windows = np.float32([[[1, 0, 0], [0, 1, 1], [0, 0, 0]],
                          [[0, 0, 0], [1, 1, 0], [0, 0, 1]]])
    phased = np.stack([
        np.einsum("yi,xj,ijcf->fcyx", windows[r], windows[c], kernel)
        for r in range(2) for c in range(2)])  # (phase, out, in, 3, 3)
    padded = g.op("Pad", x, g.constant(np.int64([0, 0, 1, 1, 0, 0, 1, 1]),
                                       "pads_1"),
                  mode="edge", name=f"{name}_pad")
    phases = g.op("Conv", padded, g.constant(
        phased.reshape(-1, *phased.shape[2:]), f"{name}_kernel"),
        kernel_shape=[3, 3], name=name)
    return g.op("DepthToSpace", phases, blocksize=2, mode="DCR",
                name=f"{name}_phases")


def _activation(g, x, layer):
    name = keras.activations.serialize(layer.activation)
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"The ONNX export takes the activations {sorted(_ACTIVATIONS)}."
            f" Received: '{name}' in layer '{layer.name}'")
    op_type = _ACTIVATIONS[name]
    return x if op_type is None else g.op(op_type, x,
                                          name=f"{layer.name}_act")


class _Norms:
    """The ONNX ops of the network's conditional norms.

    The gamma and beta tables of all norms are blended by the style
    weights at once; per-pixel weight maps are resized once per
    resolution.
    """

    def __init__(self, g, model, style_weights, per_pixel):
        self._g = g
        self._style_weights = style_weights
        self._per_pixel = per_pixel
        self._layers = transformer_net.conditional_norm_layers(model)
        self._blended = None
        self._maps = {}

    def apply(self, layer, x, resolution):
        """The normalized (not yet activated) features `x`, whose height
        and width are those of `resolution` (a key)."""
        if self._per_pixel:
            return self._per_pixel_norm(layer, x, resolution)
        gamma, beta = self._blended_tables(layer)
        if layer.statistics == "instance":
            return self._instance_norm(layer, x, gamma, beta)
        gamma = self._g.op("Unsqueeze", gamma, self._axes_23(),
                           name=f"{layer.name}_gamma")
        beta = self._g.op("Unsqueeze", beta, self._axes_23(),
                          name=f"{layer.name}_beta")
        if layer.statistics == "fixed":
            return self._affine(x, gamma, beta, layer.name)
        mean, variance = self._clipped_moments(layer, x, axes=[2, 3])
        scale = self._g.op("Mul", gamma, self._rsqrt(layer, variance))
        shift = self._g.op("Sub", beta, self._g.op("Mul", mean, scale))
        return self._affine(x, scale, shift, layer.name)

    def _instance_norm(self, layer, x, gamma, beta):
        """InstanceNormalization of `batch * channels` maps, each scaled
        and shifted by its own example's blended gamma and beta."""
        g = self._g
        flat = g.constant(np.int64([-1]), "flat")
        maps = g.op("Reshape", x, g.constant(np.int64([1, -1, 0, 0]),
                                             "as_one_example"))
        normalized = g.op(
            "InstanceNormalization", maps, g.op("Reshape", gamma, flat),
            g.op("Reshape", beta, flat), epsilon=float(layer.epsilon),
            name=layer.name)
        channels = layer.gamma.shape[1]
        return g.op("Reshape", normalized,
                    g.constant(np.int64([-1, channels, 0, 0]),
                               f"as_{channels}_channels"))

    def _blended_tables(self, layer):
        """`(gamma, beta)` of `layer` blended by the style weights, each
        `(batch, channels)`."""
        g = self._g
        if self._blended is None:
            tables = np.concatenate(
                [keras.ops.convert_to_numpy(table).astype(np.float32)
                 for norm in self._layers
                 for table in (norm.gamma, norm.beta)], axis=1)
            sizes = [norm.gamma.shape[1] for norm in self._layers
                     for _ in range(2)]
            self._blended = g.op(
                "Split", g.op("MatMul", self._style_weights,
                              g.constant(tables, "style_tables"),
                              name="blend_styles"),
                g.constant(np.int64(sizes), "table_sizes"), axis=1,
                outputs=len(sizes), name="blended")
        index = self._layers.index(layer)
        return self._blended[2 * index], self._blended[2 * index + 1]

    def _affine(self, x, scale, shift, name):
        return self._g.op("Add", self._g.op("Mul", x, scale,
                                            name=f"{name}_scale"),
                          shift, name=name)

    def _rsqrt(self, layer, variance):
        g = self._g
        return g.op("Reciprocal", g.op("Sqrt", g.op(
            "Add", variance, g.constant(np.float32(layer.epsilon),
                                        "epsilon"))))

    def _axes_23(self):
        return self._g.constant(np.int64([2, 3]), "axes_23")

    def _moments(self, x, axes):
        """Mean and (biased) variance over `axes`, kept as size-1 axes."""
        g = self._g
        mean = g.op("ReduceMean", x, axes=axes)
        centred = g.op("Sub", x, mean)
        return mean, g.op("ReduceMean", g.op("Mul", centred, centred),
                          axes=axes)

    def _clipped(self, layer, x, mean, variance):
        g = self._g
        bound = g.op("Mul", g.constant(np.float32(layer.clip_sigmas),
                                       "clip_sigmas"),
                     g.op("Sqrt", g.op("Add", variance, g.constant(
                         np.float32(layer.epsilon), "epsilon"))))
        return g.op("Min", g.op("Max", x, g.op("Sub", mean, bound)),
                    g.op("Add", mean, bound))

    def _clipped_moments(self, layer, x, axes):
        """The moments `layer` measures: plain ones, then clip passes
        (`ConditionalInstanceNorm.moments`)."""
        mean, variance = self._moments(x, axes)
        if layer.statistics == "clipped":
            for _ in range(conditional_instance_norm.CLIP_PASSES):
                mean, variance = self._moments(
                    self._clipped(layer, x, mean, variance), axes)
        return mean, variance

    def _map(self, x, key):
        """The per-pixel weights at `x`'s height and width (those of
        `key`), `(batch, pixels, styles)` and transposed, `(batch, styles,
        pixels)`."""
        g = self._g
        if key not in self._maps:
            weights = self._style_weights
            if key != "input":
                # Bilinear, half-pixel centres, clamped edges, as
                # `conditional_instance_norm._resize_bilinear`.
                sizes = g.op("Concat", g.op("Shape", weights, end=1),
                             g.op("Shape", x, start=2),
                             g.op("Shape", weights, start=3), axis=0)
                weights = g.op("Resize", weights, None, None, sizes,
                               mode="linear",
                               coordinate_transformation_mode="half_pixel",
                               name=f"weights_{key}")
            num_styles = self._layers[0].num_styles
            pixels = g.op("Reshape", weights, g.constant(
                np.int64([0, -1, num_styles]), "as_pixels_by_styles"))
            self._maps[key] = (pixels, g.op("Transpose", pixels,
                                            perm=[0, 2, 1]))
        return self._maps[key]

    def _per_pixel_norm(self, layer, x, resolution):
        """`ConditionalInstanceNorm._call_per_pixel`, on `(batch,
        channels, pixels)` views of the features."""
        g = self._g
        pixels, pixels_t = self._map(x, resolution)
        by_pixel = g.constant(np.int64([0, 0, -1]), "as_channels_by_pixels")
        gamma = g.constant(keras.ops.convert_to_numpy(
            layer.gamma).astype(np.float32).T, f"{layer.name}_gamma")
        beta = g.constant(keras.ops.convert_to_numpy(
            layer.beta).astype(np.float32).T, f"{layer.name}_beta")
        if layer.statistics == "fixed":
            features = g.op("Reshape", x, by_pixel)
            scale, shift = gamma, beta
        else:
            # Centred on the whole map's mean for accuracy in float32.
            x = g.op("Sub", x, g.op("ReduceMean", x, axes=[2, 3]))
            features = g.op("Reshape", x, by_pixel)
            measured = features
            if layer.statistics == "clipped":
                measured = g.op("Reshape", self._clipped(
                    layer, x, *self._clipped_moments(layer, x, [2, 3])),
                    by_pixel)
            totals = g.op("Max", g.op(
                "ReduceSum", pixels, g.constant(np.int64([1]), "axis_1")),
                g.constant(np.float32(1e-12), "tiny"))
            mean = g.op("Div", g.op("MatMul", measured, pixels), totals)
            variance = g.op("Max", g.op("Sub", g.op("Div", g.op(
                "MatMul", g.op("Mul", measured, measured), pixels), totals),
                g.op("Mul", mean, mean)), g.constant(np.float32(0), "zero"))
            scale = g.op("Mul", gamma, self._rsqrt(layer, variance))
            shift = g.op("Sub", beta, g.op("Mul", mean, scale))
        mixed = self._affine(features, g.op("MatMul", scale, pixels_t),
                             g.op("MatMul", shift, pixels_t), layer.name)
        return g.op("Reshape", mixed, g.op("Shape", x))
