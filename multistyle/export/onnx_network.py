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

The walk over the layers, the kernels of the sub-pixel layouts and the
joined style tables are `lean_layout`'s, shared with the TFLite export
(`tf_network`).
"""

import keras
import numpy as np

from multistyle.export import lean_layout
from multistyle.network import conditional_instance_norm
from multistyle.network import transformer_net

_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "linear": None}


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
    return lean_layout.walk(model, images, style_weights, _Layers(
        g, _Norms(g, model, style_weights, per_pixel)))


class _Layers:
    """The ONNX ops of each layer (`lean_layout.walk`'s `layer_ops`)."""

    def __init__(self, g, norms):
        self._g = g
        self._norms = norms

    def reflect_pad(self, layer, x):
        p = layer.padding
        return self._g.op("Pad", x, self._g.constant(
            np.int64([0, 0, p, p, 0, 0, p, p]), f"{layer.name}_pads"),
                          mode="reflect", name=layer.name)

    def conv(self, layer, x, even):
        """A `Conv`; with few filters on even sides at half resolution,
        between `SpaceToDepth` and `DepthToSpace` (`lean_layout`)."""
        g, name = self._g, layer.name
        conv = lean_layout.conv_layout(layer, even)
        if conv.half_resolution:
            x = g.op("SpaceToDepth", x, blocksize=2, name=f"{name}_blocks")
        inputs = [x, g.constant(conv.kernel.transpose(3, 2, 0, 1),
                                f"{name}_kernel")]
        if conv.bias is not None:
            inputs.append(g.constant(conv.bias, f"{name}_bias"))
        y = g.op("Conv", *inputs, kernel_shape=list(conv.kernel.shape[:2]),
                 strides=list(conv.strides), name=name)
        if conv.half_resolution:
            y = g.op("DepthToSpace", y, blocksize=2, mode="DCR",
                     name=f"{name}_phases")
        return y

    def norm(self, layer, x, resolution):
        op_type = _ACTIVATIONS[lean_layout.activation(layer)]
        y = self._norms.apply(layer, x, resolution)
        return y if op_type is None else self._g.op(
            op_type, y, name=f"{layer.name}_act")

    def add(self, layer, values):
        return self._g.op("Add", *values, name=layer.name)

    def upsampling_conv(self, layer, x):
        """`UpsamplingConv2D`: an edge `Pad`, one `Conv` that makes the
        four output phases (`lean_layout.upsampling_kernel`) and a
        `DepthToSpace` that interleaves them."""
        g, name = self._g, layer.name
        padded = g.op("Pad", x, g.constant(
            np.int64([0, 0, 1, 1, 0, 0, 1, 1]), "pads_1"), mode="edge",
                      name=f"{name}_pad")
        phases = g.op("Conv", padded, g.constant(
            lean_layout.upsampling_kernel(layer).transpose(3, 2, 0, 1),
            f"{name}_kernel"), kernel_shape=[3, 3], name=name)
        return g.op("DepthToSpace", phases, blocksize=2, mode="DCR",
                    name=f"{name}_phases")


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
        self._model = model
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
            _, tables, sizes = lean_layout.style_tables(self._model)
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
