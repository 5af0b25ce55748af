"""Stroke size at inference: paint at a scaled working size, restore detail.

A feed-forward style network paints strokes of a fixed size in pixels: the
size it learned on its training crops. To paint bigger strokes, paint a
smaller copy of the photo and enlarge the painting; the enlarged painting
is soft, so the photo's own fine luminance detail (what the shrinking took
away) is added back:

    small   = shrink(photo, 1 / S)
    painted = enlarge(network(small))
    out     = painted + detail * (Y(photo) - Y(enlarge(shrink(photo))))

with Y the BT.601 luma. Strokes grow by S (S = 2: twice as long and wide),
edges stay as sharp as the photo's, and the network runs on S^2 times
fewer pixels, so big strokes are also faster. S < 1 paints a larger copy
and shrinks the painting: finer strokes, S^-2 times the work.

The idea is the usual one for stroke size in feed-forward style transfer
(e.g. Jing et al., "Stroke Controllable Fast Style Transfer", ECCV 2018,
who learn it instead); detail transfer by adding back a high-pass band is
the classic "detail layer" of image editing.
"""

import numpy as np
from PIL import Image

from multistyle import errors
from multistyle.io import image_io

MIN_STROKE_SCALE = 0.25
MAX_STROKE_SCALE = 8.0
DEFAULT_DETAIL = 1.0
# The working copy keeps at least this many pixels per side (or the
# photo's own size, if smaller): the network needs 16 (`stylizer.MIN_SIDE`)
# and pads below that, and strokes on a thumbnail are no strokes.
_MIN_WORKING_SIDE = 16


def check_stroke_scale(stroke_scale, detail=DEFAULT_DETAIL):
    """Raises ValueError unless the stroke scale and detail are usable.

    Args:
        stroke_scale: A number in `[MIN_STROKE_SCALE, MAX_STROKE_SCALE]`.
        detail: How much of the photo's fine detail to add back, in
            [0, 1].
    """
    try:
        ok = MIN_STROKE_SCALE <= float(stroke_scale) <= MAX_STROKE_SCALE
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise errors.ArgumentError(
            f"{{stroke_scale}} must be a number from {MIN_STROKE_SCALE:g} to "
            f"{MAX_STROKE_SCALE:g} (1: the network's own strokes, 2: twice "
            f"as big). Received: {{stroke_scale:value}}={stroke_scale!r}",
            ("stroke_scale",))
    if not 0.0 <= detail <= 1.0:
        raise ValueError(
            f"`detail` must be between 0 and 1. Received: detail={detail}")


def working_size(height, width, stroke_scale):
    """The `(height, width)` the network paints at for this stroke scale.

    Each side is divided by `stroke_scale` and rounded, but kept at least
    16 pixels (or the photo's side, if smaller).
    """
    check_stroke_scale(stroke_scale)

    def side(length):
        return max(min(length, _MIN_WORKING_SIDE),
                   int(round(length / float(stroke_scale))))

    return side(height), side(width)


def resize(image, height, width):
    """Resizes a float HW or HWC array: Lanczos (antialiased) to shrink,
    bicubic to enlarge; channels may be any number (e.g. style weights)."""
    shrinking = height * width < image.shape[0] * image.shape[1]
    resample = (Image.Resampling.LANCZOS if shrinking
                else Image.Resampling.BICUBIC)
    return image_io.resize_float(image, height, width, resample)


def shrink(photo, stroke_scale):
    """The photo at the working size: uint8 RGB HWC in, uint8 RGB HWC out
    (Lanczos; for `stroke_scale` < 1 an enlargement, bicubic)."""
    height, width = working_size(*photo.shape[:2], stroke_scale)
    if (height, width) == photo.shape[:2]:
        return photo
    shrinking = height * width < photo.shape[0] * photo.shape[1]
    resample = (Image.Resampling.LANCZOS if shrinking
                else Image.Resampling.BICUBIC)
    return np.asarray(Image.fromarray(np.asarray(photo, np.uint8)).resize(
        (width, height), resample))


def restore(photo, painted, detail=DEFAULT_DETAIL):
    """The painting at the photo's size, with the photo's fine detail.

    Args:
        photo: The full-size photo, uint8 RGB, HWC.
        painted: The painting of `shrink(photo, S)`: float32 RGB in [0, 1]
            or uint8 RGB, HWC, at the working size.
        detail: In [0, 1]: how much of the photo's luminance detail finer
            than the working size to add back (0: the enlarged painting).

    Returns:
        float32 RGB in [0, 1], HWC, of the photo's size.
    """
    height, width = photo.shape[:2]
    if np.asarray(painted).dtype == np.uint8:
        painted = np.asarray(painted, np.float32) / 255.0
    out = resize(painted, height, width)
    small_height, small_width = painted.shape[:2]
    if detail and small_height * small_width < height * width:
        luma = image_io.luma(image_io.to_float(photo))
        blurred = resize(resize(luma, small_height, small_width),
                         height, width)
        out = out + detail * (luma - blurred)[..., None]
    return np.clip(out, 0.0, 1.0)


def paint(photo, paint_fn, stroke_scale, detail=DEFAULT_DETAIL):
    """Paints a photo with strokes `stroke_scale` times the usual size.

    Args:
        photo: uint8 RGB, HWC.
        paint_fn: `paint_fn(small_photo)`: paints a uint8 RGB HWC photo,
            returning float32 RGB in [0, 1] (or uint8) of the same size.
        stroke_scale: Stroke size factor (see `check_stroke_scale`); 1
            calls `paint_fn(photo)` alone.
        detail: See `restore`.

    Returns:
        float32 RGB in [0, 1], HWC, of the photo's size.

    Example:

    >>> out = paint(photo, lambda p: network(p[None] / 255.0, w)[0], 2.0)
    """
    check_stroke_scale(stroke_scale, detail)
    photo = np.asarray(photo)
    if float(stroke_scale) == 1.0:
        painted = paint_fn(photo)
        if np.asarray(painted).dtype == np.uint8:
            return np.asarray(painted, np.float32) / 255.0
        return np.asarray(painted, np.float32)
    return restore(photo, paint_fn(shrink(photo, stroke_scale)), detail)
