"""Conditional instance normalization (Dumoulin, Shlens & Kudlur, 2017)."""

import keras
from keras import ops

from multistyle.network import valid_region

# What a conditional norm normalizes by (see `ConditionalInstanceNorm`).
STATISTICS = ("instance", "clipped", "fixed")
# Clip-and-measure passes of "clipped" statistics.
CLIP_PASSES = 3


@keras.saving.register_keras_serializable(package="multistyle")
class ConditionalInstanceNorm(keras.layers.Layer):
    """Instance normalization with one learned scale and shift per style.

    Normalizes each example and channel over height and width, then applies
    `gamma` and `beta` mixed from per-style tables by a style weight vector:
    `gamma = style_weights @ gamma_table`. A one-hot vector selects a single
    learned style; any other vector blends styles inside the graph. Moments
    are computed in float32 even under a mixed-precision policy.

    `style_weights` may also be a per-pixel map of shape
    `(batch, height, width, num_styles)`, e.g. from style masks, so that
    one forward pass paints different styles in different regions. The map
    is resized bilinearly to the features' height and width. Each style's
    moments are taken over its own region (weighted by its map), so each
    style `s` gives `x * scale[s] + shift[s]` with its `gamma`/`beta`, and
    every pixel mixes these by its weights. A region is so normalized as
    if it were stylized alone: far from a boundary it looks like its
    style's result and does not depend on the other regions' styles (with
    whole-image moments it would, through every layer). A constant map
    gives the per-example result (up to rounding).

    Which statistics normalize (`statistics`):

    - `"instance"`: each example's own mean and variance (the paper's).
    - `"clipped"`: robust moments, which a few pixels cannot steer: the
      moments of the activations clipped at `clip_sigmas` standard
      deviations from the mean, three times over (each pass clips at the
      last pass's moments). A droplet (a few extreme pixels that
      the network makes to set the variance of a whole map, Karras et al.
      2020) then neither moves the statistics nor gets gradients through
      them.
    - `"fixed"`: none measured; the layer is the per-style affine map
      `x * gamma + beta`. The statistics are the expected ones, folded into
      gamma and beta (`statistics_folding`), as StyleGAN2's weight
      demodulation normalizes by expected instead of measured statistics:
      no pixel can steer another pixel's scale.

    References: Dumoulin, Shlens & Kudlur, "A Learned Representation for
    Artistic Style", ICLR 2017; Karras et al., "Analyzing and Improving the
    Image Quality of StyleGAN", CVPR 2020, section 2.

    Args:
        num_styles: Number of styles (rows of the gamma/beta tables).
        epsilon: Small float added to the variance.
        statistics: `"instance"`, `"clipped"` or `"fixed"` (see above).
        clip_sigmas: Where `"clipped"` statistics clip, in standard
            deviations.
        activation: Optional activation (name or function) applied to the
            float32 result before the cast to the compute dtype: under
            bfloat16 that saves a pass over the features and a rounding.
        **kwargs: Base layer keyword arguments.

    Call arguments:
        inputs: Features, NHWC.
        style_weights: Float tensor of shape `(batch, num_styles)`, or
            `(batch, height, width, num_styles)` for per-pixel weights (any
            height and width; resized to the features').
        valid_size: Optional `(batch, 2)` int tensor: take the moments
            over the top-left region of this size only (`valid_region`);
            not with per-pixel weights.

    Example:

    >>> layer = ConditionalInstanceNorm(num_styles=4)
    >>> y = layer(np.ones((2, 8, 8, 16)), np.eye(4)[[0, 3]])
    """

    def __init__(self, num_styles, epsilon=1e-5, activation=None,
                 statistics="instance", clip_sigmas=3.0, **kwargs):
        if not isinstance(num_styles, int) or num_styles < 1:
            raise ValueError(
                "`num_styles` must be a positive integer. "
                f"Received: num_styles={num_styles}"
            )
        if statistics not in STATISTICS:
            raise ValueError(
                f"`statistics` must be one of {STATISTICS}. Received: "
                f"statistics={statistics!r}")
        if not clip_sigmas > 0:
            raise ValueError("`clip_sigmas` must be positive. Received: "
                             f"clip_sigmas={clip_sigmas}")
        super().__init__(**kwargs)
        self.num_styles = num_styles
        self.epsilon = epsilon
        self.statistics = statistics
        self.clip_sigmas = clip_sigmas
        self.activation = keras.activations.get(activation)

    def build(self, inputs_shape, style_weights_shape):
        if style_weights_shape[-1] != self.num_styles:
            raise ValueError(
                f"`style_weights` must have {self.num_styles} values per "
                "example (one per style). Received: style_weights.shape="
                f"{style_weights_shape}"
            )
        channels = inputs_shape[-1]
        self.gamma = self.add_weight(
            name="gamma",
            shape=(self.num_styles, channels),
            initializer="ones",
            autocast=False,
        )
        self.beta = self.add_weight(
            name="beta",
            shape=(self.num_styles, channels),
            initializer="zeros",
            autocast=False,
        )

    def call(self, inputs, style_weights, valid_size=None):
        x = ops.cast(inputs, "float32")
        style_weights = ops.cast(style_weights, "float32")
        if len(style_weights.shape) == 4:
            if valid_size is not None:
                raise ValueError("Per-pixel style weights and `valid_size` "
                                 "cannot be combined.")
            return self._call_per_pixel(x, style_weights)
        gamma = ops.matmul(style_weights, self.gamma)[:, None, None, :]
        beta = ops.matmul(style_weights, self.beta)[:, None, None, :]
        if self.statistics == "fixed":
            return self._finish(x * gamma + beta)
        mean, variance = self.moments(x, valid_size)
        # gamma * (x - mean) / std + beta: one multiply-add per element.
        scale = gamma * ops.rsqrt(variance + self.epsilon)
        return self._finish(x * scale + (beta - mean * scale))

    def _finish(self, x):
        return ops.cast(self.activation(x), self.compute_dtype)

    def moments(self, x, valid_size=None):
        """The mean and variance this norm measures on float32 NHWC `x`
        (its `statistics`; plain moments for `"fixed"`), per example and
        channel, `(batch, 1, 1, channels)`."""
        def moments(x):
            if valid_size is None:
                return ops.moments(x, axes=[1, 2], keepdims=True)
            return valid_region.moments(x, valid_size)

        mean, variance = moments(x)
        if self.statistics == "clipped":
            # Each pass shrinks what an outlier adds to the variance
            # (a single pass still lets a huge one set the bound).
            for _ in range(CLIP_PASSES):
                mean, variance = moments(self._clipped(x, mean, variance))
        return mean, variance

    def _clipped(self, x, mean, variance):
        bound = self.clip_sigmas * ops.sqrt(variance + self.epsilon)
        return ops.minimum(ops.maximum(x, mean - bound), mean + bound)

    def _call_per_pixel(self, x, style_weights):
        weights = _resize_like(style_weights, x)
        if self.statistics == "fixed":
            return self._finish(
                x * ops.einsum("bhwn,nc->bhwc", weights, self.gamma)
                + ops.einsum("bhwn,nc->bhwc", weights, self.beta))
        # Moments of each style's region, (batch, num_styles, channels);
        # centred on the whole map's mean for accuracy in float32.
        x = x - ops.mean(x, axis=[1, 2], keepdims=True)
        # Clipped statistics clip at the whole map's moments, then take
        # each region's moments of the clipped values.
        measured = x
        if self.statistics == "clipped":
            measured = self._clipped(x, *self.moments(x))
        totals = ops.maximum(ops.sum(weights, axis=[1, 2]), 1e-12)[..., None]
        mean = ops.einsum("bhwn,bhwc->bnc", weights, measured) / totals
        variance = ops.maximum(
            ops.einsum("bhwn,bhwc->bnc", weights, measured * measured)
            / totals
            - mean * mean, 0.0)
        # Style s alone would give x * scale[s] + shift[s]; each pixel
        # mixes these by its weights.
        scale = self.gamma * ops.rsqrt(variance + self.epsilon)
        shift = self.beta - mean * scale
        return self._finish(x * ops.einsum("bhwn,bnc->bhwc", weights, scale)
                            + ops.einsum("bhwn,bnc->bhwc", weights, shift))

    def compute_output_shape(self, inputs_shape, style_weights_shape,
                             valid_size_shape=None):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_styles": self.num_styles,
            "epsilon": self.epsilon,
            "activation": keras.activations.serialize(self.activation),
            "statistics": self.statistics,
            "clip_sigmas": self.clip_sigmas,
        })
        return config


def _resize_like(weights, features):
    """Resizes a weight map to the features' height and width (bilinear);
    a map known to have their size already is used as it is."""
    if tuple(weights.shape[1:3]) == tuple(features.shape[1:3]) and \
            None not in tuple(features.shape[1:3]):
        return weights
    shape = ops.shape(features)
    weights = _resize_bilinear(weights, shape[1], axis=1)
    return _resize_bilinear(weights, shape[2], axis=2)


def _resize_bilinear(x, size, axis):
    """Resizes `x` along `axis` to `size`: linear, half-pixel centres,
    clamped edges (like `ops.image.resize`, which needs a static size).

    Works with a dynamic `size` on every backend; an unchanged size is an
    exact copy.
    """
    old = ops.shape(x)[axis]
    scale = ops.cast(old, "float32") / ops.cast(size, "float32")
    position = (ops.cast(ops.arange(size, dtype="int32"), "float32") + 0.5) \
        * scale - 0.5
    position = ops.clip(position, 0.0, ops.cast(old - 1, "float32"))
    low = ops.floor(position)
    frac = position - low
    low = ops.cast(low, "int32")
    high = ops.minimum(low + 1, old - 1)
    frac = ops.reshape(frac, [-1 if i == axis else 1 for i in range(4)])
    return (ops.take(x, low, axis=axis) * (1.0 - frac)
            + ops.take(x, high, axis=axis) * frac)
