"""The style transfer network of Dumoulin et al. (2017), in Keras 3.

Three convolutions down, five residual blocks, two nearest-neighbour
upsampling convolutions (fused into `UpsamplingConv2D`) and a final 9x9
convolution. Every convolution uses reflect padding and is followed by
`ConditionalInstanceNorm`, so the whole network is conditioned on one style
weight vector per image.
"""

import keras
from keras import ops

from multistyle.network import valid_region
from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm
from multistyle.network.upsampling_conv import UpsamplingConv2D

# (filters, kernel size, stride) of the downsampling convolutions.
_ENCODER = ((32, 9, 1), (64, 3, 2), (128, 3, 2))
_NUM_RESIDUAL_BLOCKS = 5
_RESIDUAL_FILTERS = 128
# Filters of the convolutions that follow each x2 upsampling.
_DECODER = (64, 32)
# The encoder halves height and width twice; the decoder doubles them twice.
DOWNSAMPLING_FACTOR = 4

_DECODER_NORMS = ("up1", "up2", "output")
_RESIDUAL_OUTPUT_NORMS = tuple(f"res{i + 1}_b"
                               for i in range(_NUM_RESIDUAL_BLOCKS))
# Normalization name -> (the statistics of most norms, the norms that use
# fixed statistics instead; see `ConditionalInstanceNorm`).
NORMALIZATIONS = {
    "instance": ("instance", ()),
    "clipped": ("clipped", ()),
    "fixed_decoder": ("instance", _DECODER_NORMS),
    "fixed_residual_decoder": ("instance",
                               _RESIDUAL_OUTPUT_NORMS + _DECODER_NORMS),
}


def _statistics(normalization, block_name):
    statistics, fixed = NORMALIZATIONS[normalization]
    return "fixed" if block_name in fixed else statistics


@keras.saving.register_keras_serializable(package="multistyle")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring, like `tf.pad(mode="REFLECT")`.

    Args:
        padding: Pixels added on each side of height and width.
        **kwargs: Base layer keyword arguments.

    Call arguments:
        inputs: Features, NHWC.
        valid_size: Optional `(batch, 2)` int tensor: mirror at the edges
            of the top-left region of this size instead (`valid_region`).
    """

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        self.padding = padding

    def call(self, inputs, valid_size=None):
        p = self.padding
        if valid_size is not None:
            return valid_region.reflect_pad(inputs, valid_size, p)
        return ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]],
                       mode="reflect")

    def compute_output_shape(self, inputs_shape, valid_size_shape=None):
        def grow(size):
            return None if size is None else size + 2 * self.padding

        return (inputs_shape[0], grow(inputs_shape[1]), grow(inputs_shape[2]),
                inputs_shape[3])

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding})
        return config


@keras.saving.register_keras_serializable(package="multistyle")
class CropToMatch(keras.layers.Layer):
    """Crops `inputs` to the height and width of `reference` (top-left).

    The decoder's output is the input size rounded up to a multiple of
    `DOWNSAMPLING_FACTOR`; this layer trims it back, so any input size,
    odd sizes included, gives an output of the same size.
    """

    def call(self, inputs, reference):
        shape = ops.shape(reference)
        return inputs[:, : shape[1], : shape[2], :]

    def compute_output_shape(self, inputs_shape, reference_shape):
        return (inputs_shape[0], reference_shape[1], reference_shape[2],
                inputs_shape[3])


def _scaled(filters, alpha):
    return max(1, int(round(filters * alpha)))


@keras.saving.register_keras_serializable(package="multistyle")
class TransformerNet(keras.Model):
    """The multi-style transfer network, a functional Keras model that
    carries its own settings (`get_config` returns its arguments, so a
    loaded network and its twins are rebuilt from the config alone).

    Args:
        num_styles: Number of styles the network can paint.
        alpha: Width multiplier; every hidden layer has `alpha` times the
            filters of the paper's network (0.25 gives a "lite" model).
        normalization: Which statistics each conditional norm uses, a
            key of `NORMALIZATIONS`: `"instance"` (the paper's),
            `"clipped"` (robust moments everywhere), `"fixed_decoder"`
            (no measured statistics in the up-sampling and output layers)
            or `"fixed_residual_decoder"` (nor in the residual branches'
            last norms).
        spatial_weights: Take per-pixel style weights, `(batch, height,
            width, num_styles)`, instead of one vector per image (see
            `ConditionalInstanceNorm`). The weights are the same either way;
            `spatial_twin` gives a trained network's per-pixel twin.
        padded_inputs: Take a third input, `valid_size` (int32, `(batch,
            2)`): the height and width of the images inside inputs padded
            at the bottom and right (one size per batch). The output's
            top-left region of that size equals the network's output on
            the unpadded images (see `valid_region`); the rest is unused.
            With one padded shape for many sizes, JAX compiles once.
            Not with `spatial_weights`.
        dtype: Dtype policy of every layer (None: the global policy, e.g.
            `mixed_bfloat16` during mixed-precision training).
        name: Model name.

    Call arguments:
        inputs: `[images, style_weights]` (and `valid_size` if padded):
            `images` are float32 RGB in [0, 1], NHWC, of any height and
            width; `style_weights` has shape `(batch, num_styles)`. The
            output is float32 RGB in [0, 1] of the input's size.

    Raises:
        ValueError: If `num_styles` or `alpha` is not positive, or the
            options do not combine.

    Example:

    >>> net = TransformerNet(num_styles=3, alpha=0.25)
    >>> out = net([np.zeros((1, 33, 47, 3)), np.eye(3)[:1]])  # (1, 33, 47, 3)
    """

    def __init__(self, num_styles, alpha=1.0, normalization="instance",
                 spatial_weights=False, padded_inputs=False, dtype=None,
                 name="style_transfer_net", **kwargs):
        if not isinstance(num_styles, int) or num_styles < 1:
            raise ValueError(
                "`num_styles` must be a positive integer. "
                f"Received: num_styles={num_styles}"
            )
        if not alpha > 0:
            raise ValueError(
                f"`alpha` must be positive. Received: alpha={alpha}")
        if spatial_weights and padded_inputs:
            raise ValueError("`spatial_weights` and `padded_inputs` cannot "
                             "be combined.")
        if normalization not in NORMALIZATIONS:
            raise ValueError(
                f"`normalization` must be one of {sorted(NORMALIZATIONS)}. "
                f"Received: normalization={normalization!r}")
        inputs, outputs = _graph(num_styles, alpha, normalization,
                                 spatial_weights, padded_inputs, dtype)
        super().__init__(inputs, outputs, name=name, **kwargs)
        self.num_styles = num_styles
        self.alpha = alpha
        self.normalization = normalization
        self.spatial_weights = spatial_weights
        self.padded_inputs = padded_inputs
        self.layer_dtype = dtype

    def get_config(self):
        return {
            "num_styles": self.num_styles,
            "alpha": self.alpha,
            "normalization": self.normalization,
            "spatial_weights": self.spatial_weights,
            "padded_inputs": self.padded_inputs,
            "dtype": keras.dtype_policies.serialize(self.layer_dtype)
            if isinstance(self.layer_dtype, keras.DTypePolicy)
            else self.layer_dtype,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = keras.dtype_policies.deserialize(
                config["dtype"])
        return cls(**config)


def build_transformer_net(num_styles, alpha=1.0, **options):
    """A new `TransformerNet` (see there for `alpha` and the options)."""
    return TransformerNet(num_styles, alpha=alpha, **options)


def rebuilt(net, **changes):
    """A new, untrained `TransformerNet` with `net`'s settings, some
    changed (e.g. `num_styles`, `dtype`, `padded_inputs`)."""
    return TransformerNet.from_config({**net.get_config(), **changes})


def upgraded(net):
    """`net` as a `TransformerNet`: networks saved before the class
    existed (plain functional models of the same layers) are rebuilt
    with their weights; a `TransformerNet` is returned as it is.

    Raises:
        ValueError: If `net` is not a multistyle network.
    """
    if isinstance(net, TransformerNet):
        return net
    residual_filters = net.get_layer("res1_a_conv").filters
    new = TransformerNet(num_styles_of(net),
                         alpha=residual_filters / _RESIDUAL_FILTERS,
                         normalization=normalization_of(net), name=net.name)
    new.set_weights(net.get_weights())
    return new


def _graph(num_styles, alpha, normalization, spatial_weights, padded_inputs,
           dtype):
    """The network's inputs and outputs (see `TransformerNet`)."""
    images = keras.Input((None, None, 3), name="images")
    style_weights = keras.Input(
        (None, None, num_styles) if spatial_weights else (num_styles,),
        name="style_weights")
    inputs = [images, style_weights]
    size = None  # The valid size at the current resolution, if padded.
    if padded_inputs:
        size = keras.Input((2,), dtype="int32", name="valid_size")
        inputs.append(size)

    def valid_size_kwargs(size):
        return {} if size is None else {"valid_size": size}

    def norm(x, activation, size, *, name):
        # The sigmoid makes the image: keep its input and output float32.
        return ConditionalInstanceNorm(
            num_styles, activation=activation,
            statistics=_statistics(normalization, name),
            dtype="float32" if activation == "sigmoid" else dtype,
            name=f"{name}_norm")(x, style_weights,
                                 **valid_size_kwargs(size))

    def block(x, filters, kernel_size, strides=1, activation="relu", *,
              size, name):
        """Reflect pad -> conv (no bias) -> conditional norm -> act."""
        x = ReflectionPadding2D(kernel_size // 2, dtype=dtype,
                                name=f"{name}_pad")(
                                    x, **valid_size_kwargs(size))
        x = keras.layers.Conv2D(filters, kernel_size, strides=strides,
                                use_bias=False, dtype=dtype,
                                name=f"{name}_conv")(x)
        if size is not None and strides == 2:
            size = valid_region.halved(size)
        return norm(x, activation, size, name=name), size

    x = images
    for i, (filters, kernel_size, strides) in enumerate(_ENCODER):
        x, size = block(x, _scaled(filters, alpha), kernel_size, strides,
                        size=size, name=f"down{i + 1}")
    res_filters = _scaled(_RESIDUAL_FILTERS, alpha)
    for i in range(_NUM_RESIDUAL_BLOCKS):
        y, _ = block(x, res_filters, 3, size=size, name=f"res{i + 1}_a")
        y, _ = block(y, res_filters, 3, activation=None, size=size,
                     name=f"res{i + 1}_b")
        x = keras.layers.Add(dtype=dtype, name=f"res{i + 1}_add")([x, y])
    for i, filters in enumerate(_DECODER):
        prefix = f"up{i + 1}"
        x = UpsamplingConv2D(_scaled(filters, alpha), dtype=dtype,
                             name=f"{prefix}_conv")(
                                 x, **valid_size_kwargs(size))
        size = None if size is None else 2 * size
        x = norm(x, "relu", size, name=prefix)
    x, _ = block(x, 3, 9, activation="sigmoid", size=size, name="output")
    outputs = CropToMatch(name="crop", dtype="float32")(x, images)
    return inputs, outputs


def spatial_twin(model):
    """The network with per-pixel style weights, sharing `model`'s layers.

    The twin calls the very same layers (and so the same variables) on a
    `style_weights` input of shape `(batch, height, width, num_styles)`:
    nothing is copied, and the two stay in step if `model` changes.

    Args:
        model: A network from `build_transformer_net` (or loaded from its
            `.keras` file).

    Returns:
        A `keras.Model` mapping `[images, style_weights]` to stylized
        images, with `style_weights` per pixel (resized to each layer).

    Raises:
        ValueError: If `model` is not a multistyle network.

    Example:

    >>> twin = spatial_twin(net)  # net paints 3 styles
    >>> halves = np.zeros((1, 32, 48, 3))
    >>> halves[:, :, :24, 0] = 1  # Style 0 on the left,
    >>> halves[:, :, 24:, 1] = 1  # style 1 on the right.
    >>> out = twin([np.zeros((1, 32, 48, 3)), halves])
    """
    num_styles = num_styles_of(model)
    images = keras.Input((None, None, 3), name="images")
    style_weights = keras.Input((None, None, num_styles),
                                name="style_weights")
    return keras.models.clone_model(
        model, input_tensors=[images, style_weights],
        clone_function=lambda layer: layer)  # Reuse, do not copy, layers.


def conditional_norm_layers(model):
    """Returns the model's `ConditionalInstanceNorm` layers, in order."""
    return [layer for layer in model.layers
            if isinstance(layer, ConditionalInstanceNorm)]


def norm_probe_model(model):
    """`model` that also returns what each conditional norm normalizes,
    sharing its layers: `[images, style_weights]` -> `[stylized, *the
    norms' inputs in order]`, in one pass."""
    return keras.Model(model.inputs, [model.output, *(
        norm.input[0] for norm in conditional_norm_layers(model))])


def normalization_of(model):
    """Returns the `normalization` a transformer network was built with.

    Raises:
        ValueError: If its norms match no key of `NORMALIZATIONS`.
    """
    found = {norm.name[:-len("_norm")]: norm.statistics
             for norm in conditional_norm_layers(model)}
    for name in NORMALIZATIONS:
        if all(_statistics(name, block) == statistics
               for block, statistics in found.items()):
            return name
    raise ValueError(f"Model '{model.name}' has conditional norms of no "
                     f"known normalization: {found}")


def num_styles_of(model):
    """Returns how many styles a transformer network was built for."""
    norms = conditional_norm_layers(model)
    if not norms:
        raise ValueError(
            f"Model '{model.name}' has no ConditionalInstanceNorm layers; "
            "it is not a multistyle network."
        )
    return norms[0].num_styles
