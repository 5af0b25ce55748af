"""x2 nearest-neighbour upsampling and a 3x3 convolution, as one layer."""

import keras
from keras import ops

from multistyle.network import valid_region


def _phase_taps(kernel, axis):
    """Splits a 3-tap kernel along `axis` into the two 2-tap kernels that
    nearest x2 upsampling turns it into: even outputs see the source
    pixels (m-1, m, m) and odd outputs (m, m, m+1). (Split, not gathered:
    under tf.distribute the sparse gradient of a gather did not train as
    on one device; tests/training/test_distribution.py.)"""
    first, middle, last = ops.split(kernel, 3, axis=axis)
    return (ops.concatenate([first, middle + last], axis=axis),
            ops.concatenate([first + middle, last], axis=axis))


@keras.saving.register_keras_serializable(package="multistyle")
class UpsamplingConv2D(keras.layers.Layer):
    """Nearest x2 upsampling, 1-pixel reflect padding and a 3x3 convolution.

    Computes `Conv2D(filters, 3, use_bias=False)` of the reflect-padded,
    nearest-upsampled input without building the upsampled tensor: each of
    the four output phases (even/odd rows x even/odd columns) is a 2x2
    convolution of the low-resolution input, with taps summed from the 3x3
    kernel (see `_phase_taps`), and the phases are interleaved. That is
    16 multiply-adds per output pixel and channel pair instead of 36; the
    result equals the three-layer version up to float rounding. Reflect
    padding of the upsampled input equals edge padding of the input.

    The trainable weight is the 3x3 kernel itself, shaped like a `Conv2D`
    kernel, `(3, 3, in_channels, filters)`; its taps are summed in the
    variable dtype (float32 under mixed precision), then cast.

    Args:
        filters: Output channels.
        kernel_initializer: Initializer of the 3x3 kernel.
        **kwargs: Base layer keyword arguments.

    Call arguments:
        inputs: Features, NHWC.
        valid_size: Optional `(batch, 2)` int tensor: upsample the
            top-left region of this size as if it were the whole input
            (see `valid_region`).

    Example:

    >>> layer = UpsamplingConv2D(8)
    >>> y = layer(np.zeros((1, 5, 7, 4)))  # (1, 10, 14, 8)
    """

    def __init__(self, filters, kernel_initializer="glorot_uniform",
                 **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(3, 3, input_shape[-1], self.filters),
            initializer=self.kernel_initializer, autocast=False)

    def call(self, inputs, valid_size=None):
        if valid_size is None:  # Symmetric padding by one repeats edges.
            padded = ops.pad(inputs, [[0, 0], [1, 1], [1, 1], [0, 0]],
                             mode="symmetric")
        else:
            padded = valid_region.edge_pad(inputs, valid_size)
        # Even output rows read padded rows [m-1, m], odd ones [m, m+1].
        row_windows = (padded[:, :-1], padded[:, 1:])
        rows = []
        for row_window, row_kernel in zip(row_windows,
                                          _phase_taps(self.kernel, 0)):
            windows = (row_window[:, :, :-1], row_window[:, :, 1:])
            rows.append(ops.stack(
                [ops.conv(window, ops.cast(kernel, self.compute_dtype))
                 for window, kernel in zip(windows,
                                           _phase_taps(row_kernel, 1))],
                axis=3))  # (batch, height, width, 2, filters)
        shape = ops.shape(inputs)
        return ops.reshape(ops.stack(rows, axis=2),
                           (-1, 2 * shape[1], 2 * shape[2], self.filters))

    def compute_output_shape(self, inputs_shape, valid_size_shape=None):
        def double(size):
            return None if size is None else 2 * size

        return (inputs_shape[0], double(inputs_shape[1]),
                double(inputs_shape[2]), self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_initializer": keras.initializers.serialize(
                self.kernel_initializer),
        })
        return config
