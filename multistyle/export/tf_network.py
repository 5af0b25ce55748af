"""The transformer network laid out as TensorFlow ops, NHWC, from its
weights: what the TFLite export converts.

Converting the SavedModel's signature op by op carried Keras's graph into
TFLite: per-layer shape arithmetic (`STRIDED_SLICE`, `PACK`, `RESHAPE`),
four convolutions, stacks and reshapes per `UpsamplingConv2D`, one
matrix product per norm, a 3-filter output convolution at full
resolution. Here each layer becomes the ops that LiteRT's CPU kernels
(XNNPACK) run fast, as `onnx_network` lays them out for onnxruntime
(`lean_layout` has the walk and the kernels both use):

- `ReflectionPadding2D`: the mirrored rows and columns as
  `STRIDED_SLICE`s and a `CONCATENATION` per axis (`_mirror_pad`);
  `Conv2D`: a `CONV_2D` (the output layer's, with 3 filters, at half
  resolution after a `SPACE_TO_DEPTH`, with 12); `Add`: an `ADD`.
- `UpsamplingConv2D`: an edge padding by 1 (slices alike), one 2x2
  `CONV_2D` that makes the sums of the four output phases at the
  input's resolution (4/9 of the multiply-adds of one 3x3 convolution
  with zero taps, as the ONNX model has: 2x faster here) and a shifted
  slice per phase.
- The phases of each 2x2 block that these two make stay apart (`_Phases`)
  through the norm that follows; a `DEPTH_TO_SPACE` interleaves them
  where a layer needs the pixels.
- `ConditionalInstanceNorm` (Dumoulin et al. 2017): the layer's own
  statistics (`ConditionalInstanceNorm.moments`: `MEAN`s and a
  `SQUARED_DIFFERENCE`, and the clip passes of clipped statistics), then
  one multiply-add, `x * scale + shift`, whose `ADD` carries the ReLU;
  fixed statistics are the multiply-add alone.
- One `FULLY_CONNECTED` blends the style tables of all norms, one
  `SPLIT` hands each norm its gamma and beta.

At 512x512 on a 2-core AVX-512 CPU this runs in about half the time of
the op-by-op conversion (BENCHMARKS.md, lean exports), within one uint8
level of the SavedModel.

Example:

>>> network = LeanNetwork(folder_io.read_network("saved_models/mine"))
>>> stylized = network([images, style_weights])  # TF tensors, NHWC.
"""

import tensorflow as tf

from multistyle.export import lean_layout

_ACTIVATIONS = {"relu": tf.nn.relu, "sigmoid": tf.math.sigmoid,
                "linear": tf.identity}


class LeanNetwork:
    """A transformer network as TensorFlow ops from its weights.

    Called like the Keras network (`network([images, style_weights],
    training=False)`), so `saved_model.stylize_uint8` wraps it as it
    wraps the network; the weights are constants of the traced graph.

    Args:
        model: A `TransformerNet` (as `folder_io.read_network` gives).

    Call arguments:
        inputs: `[images, style_weights]`: float32 RGB in [0, 1], NHWC,
            sides >= `min_side.MIN_SIDE`, and float32 `(batch,
            num_styles)`.
        training: Ignored (inference only).

    Returns (of a call):
        float32 RGB in [0, 1], NHWC, of the images' size.

    Raises:
        ValueError: When called, if the network holds a layer or an
            activation the export does not lay out.
    """

    def __init__(self, model):
        self._model = model
        self._wired = lean_layout.wiring(model)
        norms, self._tables, self._sizes = lean_layout.style_tables(model)
        self._index = {norm.name: i for i, norm in enumerate(norms)}

    def __call__(self, inputs, training=False):
        del training  # Inference only.
        images, style_weights = inputs
        # (batch, 1, 1, columns): each piece broadcasts over the pixels.
        blended = tf.split(tf.reshape(
            tf.matmul(style_weights, self._tables),
            [-1, 1, 1, sum(self._sizes)]), self._sizes, axis=3,
                           name="blended")
        y = _pixels(lean_layout.walk(self._model, images, style_weights,
                                     _Layers(blended, self._index),
                                     self._wired))
        shape = tf.shape(images)
        return y[:, :shape[1], :shape[2]]


class _Phases:
    """Features kept as the four phases of each 2x2 block (half the height
    and width, 4x the channels, phase-major: what an upsampling or a
    half-resolution convolution makes) until a layer needs the pixels.

    A norm scales and shifts the phases as they are, with the per-channel
    statistics of all four (the same numbers): per-channel multiply-adds
    on rows 4x as long run several times faster in XNNPACK than on the
    interleaved maps with 3 or 8 channels.
    """

    def __init__(self, blocks):
        self.blocks = blocks

    def pixels(self):
        return tf.nn.depth_to_space(self.blocks, 2)


def _pixels(x):
    return x.pixels() if isinstance(x, _Phases) else x


class _Layers:
    """The TensorFlow ops of each layer (`lean_layout.walk`'s
    `layer_ops`); `blended` holds every norm's gamma and beta, in
    `index`'s order."""

    def __init__(self, blended, index):
        self._blended = blended
        self._index = index

    def reflect_pad(self, layer, x):
        return _mirror_pad(_pixels(x), layer.padding, reflect=True)

    def conv(self, layer, x, even):
        with tf.init_scope():  # The weights as numpy, while tracing.
            conv = lean_layout.conv_layout(layer, even)
        x = _pixels(x)
        if conv.half_resolution:
            x = tf.nn.space_to_depth(x, 2)
        y = tf.nn.conv2d(x, conv.kernel, conv.strides, "VALID",
                         name=layer.name)
        if conv.bias is not None:
            y = tf.nn.bias_add(y, conv.bias)
        return _Phases(y) if conv.half_resolution else y

    def norm(self, layer, x, resolution):
        del resolution  # One style vector per image: no maps to resize.
        index = self._index[layer.name]
        gamma, beta = self._blended[2 * index:2 * index + 2]
        activation = _ACTIVATIONS[lean_layout.activation(layer)]
        if isinstance(x, _Phases) and layer.statistics != "clipped":
            return _Phases(activation(_phase_norm(layer, x.blocks, gamma,
                                                  beta)))
        x = _pixels(x)
        if layer.statistics == "fixed":
            return activation(x * gamma + beta)
        mean, variance = layer.moments(x)
        scale = gamma * tf.math.rsqrt(variance + layer.epsilon)
        return activation(x * scale + (beta - mean * scale))

    def add(self, layer, values):
        return tf.add(*map(_pixels, values), name=layer.name)

    def upsampling_conv(self, layer, x):
        """One 2x2 convolution of the edge-padded input makes every
        phase's sums at every position (`lean_layout.upsampling_taps`);
        each phase takes its shifted slice of its filters."""
        with tf.init_scope():
            kernel = lean_layout.upsampling_taps(layer)
        sums = tf.nn.conv2d(_mirror_pad(_pixels(x), 1, reflect=False),
                            kernel, 1, "VALID", name=layer.name)
        filters = kernel.shape[-1] // 4
        return _Phases(tf.concat([
            sums[:, r:(r - 1) or None, c:(c - 1) or None,
                 (2 * r + c) * filters:(2 * r + c + 1) * filters]
            for r in range(2) for c in range(2)], axis=3))


def _phase_norm(layer, blocks, gamma, beta):
    """`layer`'s instance or fixed norm (not yet activated) of the
    features whose phases are `blocks`: the mean and variance of each
    channel over all four phases, each phase scaled and shifted alike."""
    if layer.statistics == "fixed":
        scale, shift = gamma, beta
    else:
        mean = _phase_mean(blocks)
        variance = _phase_mean(tf.math.squared_difference(
            blocks, _tile_phases(mean)))
        scale = gamma * tf.math.rsqrt(variance + layer.epsilon)
        shift = beta - mean * scale
    return blocks * _tile_phases(scale) + _tile_phases(shift)


def _phase_mean(blocks):
    """The mean of each channel over the pixels of all four phases,
    `(batch, 1, 1, channels)`."""
    means = tf.reduce_mean(blocks, axis=[1, 2], keepdims=True)
    return tf.reduce_mean(tf.reshape(
        means, [-1, 1, 1, 4, blocks.shape[-1] // 4]), axis=3)


def _tile_phases(values):
    return tf.tile(values, [1, 1, 1, 4])


def _mirror_pad(x, p, reflect):
    """Pads the height and width of NHWC `x` by `p` mirrored rows and
    columns, without repeating the edge (`reflect`) or with it
    (symmetric), as slices and a concatenation per axis.

    The same values as `tf.pad(mode="REFLECT")` (or "SYMMETRIC"), but
    LiteRT's XNNPACK kernels take slices and concatenations, while its
    `MIRROR_PAD` runs outside them, slowly: 14 ms for one 512x512x8 map
    on 2 cores, where the whole lite network now takes about 65 ms.
    """
    skip = 1 if reflect else 0
    for axis in (1, 2):
        def line(i, axis=axis, x=x):  # Row or column i (< 0: from the end).
            index = [slice(None)] * 4
            index[axis] = slice(i, i + 1 if i != -1 else None)
            return x[tuple(index)]

        x = tf.concat([line(i) for i in range(p - 1 + skip, skip - 1, -1)]
                      + [x] + [line(-1 - skip - i) for i in range(p)],
                      axis=axis)
    return x
