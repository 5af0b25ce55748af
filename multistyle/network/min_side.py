"""The smallest image the network paints, and how smaller ones are padded.

The network's first 9x9 reflect padding needs a side of at least 5, and
its two stride-2 convolutions leave instance norm too few pixels below 16.
So an image with a side below `MIN_SIDE` is mirror-padded, centred, up to
`MIN_SIDE`, painted, and cropped back. Stills, video frames and the
exported SavedModel all go through `call_padded`, so a tiny image paints
the same everywhere.

The mirroring is symmetric (the edge pixel repeated, like
`np.pad(mode="symmetric")`) and indexes positions modulo twice the size,
so even a 1x1 image pads to any size. Written in `keras.ops`, it works on
numpy arrays, eager tensors and inside a traced TensorFlow graph (with
unknown height and width).
"""

from keras import ops

MIN_SIDE = 16


def _mirror_indices(size, min_side):
    """Source positions of a side of `size` padded up to `min_side`, and
    the padding before it."""
    pad = ops.maximum(min_side - size, 0)
    before = pad // 2
    # Shifted by a whole number of periods (`before < min_side`) so the
    # modulo never sees a negative number: ONNX converters lower it to a
    # truncating division, which differs from floor mod there.
    period = 2 * size
    positions = (ops.arange(size + pad) - before + period * min_side) % period
    return ops.where(positions < size, positions,
                     period - 1 - positions), before


def pad_to_min_side(images, min_side=MIN_SIDE):
    """Mirror-pads the height and width of NHWC `images` up to `min_side`.

    Returns:
        `(padded, top, left)`: the padded images and where the original
        starts in them; `images` itself, 0 and 0 when both sides are
        known to be at least `min_side`.
    """
    if all(s is not None and s >= min_side for s in images.shape[1:3]):
        return images, 0, 0
    shape = ops.shape(images)
    rows, top = _mirror_indices(shape[1], min_side)
    columns, left = _mirror_indices(shape[2], min_side)
    padded = ops.take(ops.take(images, rows, axis=1), columns, axis=2)
    return padded, top, left


def call_padded(network, images, style_weights, min_side=MIN_SIDE):
    """`network(images, style_weights)` for images of any size (>= 1).

    Args:
        network: Maps NHWC images (sides >= `min_side`) and their style
            weights to NHWC outputs of the images' size.
        images: NHWC images.
        style_weights: `(batch, num_styles)`, or per pixel `(batch,
            height, width, num_styles)` of the images' size (padded
            alike).
        min_side: The smallest side `network` takes.

    Returns:
        `network`'s output for the padded images, cropped to the size of
        `images`.
    """
    padded, top, left = pad_to_min_side(images, min_side)
    if padded is images:
        return network(images, style_weights)
    if len(style_weights.shape) == 4:
        style_weights, _, _ = pad_to_min_side(style_weights, min_side)
    shape = ops.shape(images)
    outputs = network(padded, style_weights)
    return outputs[:, top:top + shape[1], left:left + shape[2]]
