"""Conditional instance normalization (Dumoulin, Shlens & Kudlur, 2017)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="multistyle")
class ConditionalInstanceNorm(keras.layers.Layer):
    """Instance normalization with one learned scale and shift per style.

    Normalizes each example and channel over height and width, then applies
    `gamma` and `beta` mixed from per-style tables by a style weight vector:
    `gamma = style_weights @ gamma_table`. A one-hot vector selects a single
    learned style; any other vector blends styles inside the graph. Moments
    are computed in float32 even under a mixed-precision policy.

    Reference: Dumoulin, Shlens & Kudlur, "A Learned Representation for
    Artistic Style", ICLR 2017.

    Args:
        num_styles: Number of styles (rows of the gamma/beta tables).
        epsilon: Small float added to the variance.
        **kwargs: Base layer keyword arguments.

    Call arguments:
        inputs: Features, NHWC.
        style_weights: Float tensor of shape `(batch, num_styles)`.

    Example:

    >>> layer = ConditionalInstanceNorm(num_styles=4)
    >>> y = layer(np.ones((2, 8, 8, 16)), np.eye(4)[[0, 3]])
    """

    def __init__(self, num_styles, epsilon=1e-5, **kwargs):
        if not isinstance(num_styles, int) or num_styles < 1:
            raise ValueError(
                "`num_styles` must be a positive integer. "
                f"Received: num_styles={num_styles}"
            )
        super().__init__(**kwargs)
        self.num_styles = num_styles
        self.epsilon = epsilon

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

    def call(self, inputs, style_weights):
        x = ops.cast(inputs, "float32")
        style_weights = ops.cast(style_weights, "float32")
        mean, variance = ops.moments(x, axes=[1, 2], keepdims=True)
        x = (x - mean) * ops.rsqrt(variance + self.epsilon)
        gamma = ops.matmul(style_weights, self.gamma)
        beta = ops.matmul(style_weights, self.beta)
        x = x * gamma[:, None, None, :] + beta[:, None, None, :]
        return ops.cast(x, self.compute_dtype)

    def compute_output_shape(self, inputs_shape, style_weights_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update({"num_styles": self.num_styles, "epsilon": self.epsilon})
        return config
