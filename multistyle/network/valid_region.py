"""Features whose top-left `(height, width)` region is the real image.

JAX compiles a network once per input shape. To reuse one compiled shape
for many image sizes (`shape_buckets`), images are padded at the bottom and
right to a bucket, and the network is told the valid size: every padding
layer re-pads from the valid region's edges (by gathering), and instance
norm takes its moments over the valid region only. The valid region of
every layer's output then equals the unpadded network's output, up to
float rounding; what lies outside it is never read back.

`valid_size` arguments are int tensors of shape `(batch, 2)`: the valid
height and width at that layer's resolution. A batch shares one size
(its first row is used).
"""

from keras import ops


def _edge(positions, size):
    """Clamp positions to [0, size), like "SYMMETRIC" padding by one."""
    return ops.clip(positions, 0, ops.maximum(size - 1, 0))


def _reflect(positions, size):
    """Mirror positions outside [0, size) back in, like "REFLECT" padding;
    positions past one reflection are clamped (their values are unused)."""
    positions = ops.abs(positions)
    return _edge(ops.where(positions >= size, 2 * (size - 1) - positions,
                           positions), size)


def _pad(x, valid_size, padding, mirror):
    shape = ops.shape(x)
    for axis in (1, 2):
        positions = ops.arange(shape[axis] + 2 * padding, dtype="int32")
        x = ops.take(x, mirror(positions - padding,
                               ops.cast(valid_size[0, axis - 1], "int32")),
                     axis=axis)
    return x


def reflect_pad(x, valid_size, padding):
    """Pads NHWC `x` by `padding` on each side, reflecting its valid region
    at the valid region's edges (positions are shifted by `padding`)."""
    return _pad(x, valid_size, padding, _reflect)


def edge_pad(x, valid_size):
    """Pads NHWC `x` by one pixel, repeating the valid region's edges."""
    return _pad(x, valid_size, 1, _edge)


def moments(x, valid_size):
    """Mean and variance over the valid region of float32 NHWC `x`, per
    example and channel, shaped `(batch, 1, 1, channels)`."""
    shape = ops.shape(x)
    height = ops.cast(valid_size[0, 0], "int32")
    width = ops.cast(valid_size[0, 1], "int32")
    rows = ops.arange(shape[1], dtype="int32") < height
    columns = ops.arange(shape[2], dtype="int32") < width
    mask = ops.cast(ops.logical_and(rows[:, None], columns[None, :]),
                    "float32")[None, :, :, None]
    count = ops.cast(height * width, "float32")
    mean = ops.sum(x * mask, axis=[1, 2], keepdims=True) / count
    variance = ops.sum(ops.square((x - mean) * mask), axis=[1, 2],
                       keepdims=True) / count
    return mean, variance


def halved(valid_size):
    """The valid size after a stride-2 convolution of padding 1: ceil."""
    return (valid_size + 1) // 2
