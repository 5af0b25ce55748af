"""One window of a resized image, computed from the region around it.

Tiles of a photo painted at another size (`stroke_scale`, `max_size`)
need the style weights of their window of the resized weight map; resizing
the whole map first would hold it all at once (tens of bytes a pixel).
`resized_window` resizes only the region of the source that the window's
pixels read: PIL resizes with a `box` of the window's extent, and its
bilinear filter reads past the box into the region as it would into the
whole image, so the window equals the same window of the whole resized
image up to float rounding (about 1e-5 for values in [0, 1]).
"""

import math

from multistyle.io import image_io

# The bilinear filter reads one source pixel either side of a pixel's
# centre, widened by the scale when shrinking (PIL's resampling).
_BILINEAR_SUPPORT = 1.0


def resized_window(read, shape, window, size=None):
    """One window of an image resized (bilinear), from the region around it.

    Equals the window of the whole image resized (bilinear, as
    `image_io.resize_float`) up to float rounding.

    Args:
        read: `read(region)`: the float (or uint8) HW or HWC pixels of the
            image in `region`, `(rows, columns)` slices.
        shape: The image's `(height, width)`.
        window: `(rows, columns)` slices of the resized image.
        size: The resized image's `(height, width)`; None or `shape`: no
            resizing, `read(window)` itself.

    Returns:
        float32, HW or HWC, of the window's size.
    """
    if size is None or tuple(size) == tuple(shape):
        return image_io.as_float(read(window))
    spans = [_source_span(part, length, out_length) for part, length,
             out_length in zip(window, shape, size)]
    (rows, top, bottom), (columns, left, right) = spans
    return image_io.resize_float(
        read((rows, columns)), window[0].stop - window[0].start,
        window[1].stop - window[1].start, box=(left, top, right, bottom))


def _source_span(part, length, out_length):
    """The source slice that output pixels `part` (a slice) of a side
    resized from `length` to `out_length` read, and where they start and
    end in it (floats)."""
    scale = length / out_length
    support = _BILINEAR_SUPPORT * max(scale, 1.0)
    low = max(0, math.floor(part.start * scale - support) - 1)
    high = min(length, math.ceil(part.stop * scale + support) + 1)
    return (slice(low, high), part.start * scale - low,
            min(part.stop * scale, length) - low)
