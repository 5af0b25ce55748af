"""Applies an image-to-image function to a large image in overlapping tiles.

A style network's activations for an 8000 x 8000 photo need tens of GiB, so
large images are cut into overlapping square tiles, each tile is stylized on
its own, and the results are blended with raised-cosine (feathered) weights
in the overlaps. The weights of the tiles covering a pixel sum to 1, so a
pointwise function gives exactly the untiled result, and a tile's edge
pixels, whose receptive field was cut off, get almost no weight.

Memory stays bounded: tiles are processed one row of tiles at a time and
finished rows are written straight into the uint8 output, so besides the
input and output images only about `2 * tile_size * width` float32 RGB
pixels are held. Measured with `benchmarks/tiling_memory.py` (TensorFlow,
2 CPUs, 1024-px tiles, 128-px overlap), an 8000 x 8000 photo peaks at
2.2 GiB resident for the full-width network (alpha=1, 7.7 min) and 1.6 GiB
at alpha=0.25 (1.7 min), Python and the photo included; untiled, a
2048 x 2048 photo already needs 4.2 GiB at alpha=1.

Instance normalization computes its statistics per tile, so tiles of very
different content (sky above, street below) get slightly different colour
and contrast. Large tiles with a generous overlap keep the difference small
and the feathering spreads it over the whole overlap, so no edge is visible.
(Sharing statistics across tiles instead, pooled over a first pass of
tiles, was tried: a tile of flat colour, whose features collapse to a
constant, corrupts the pooled statistics of deeper layers.)
"""

import math

import numpy as np

from multistyle import errors
from multistyle.io import image_io

DEFAULT_TILE_SIZE = 1024
DEFAULT_OVERLAP = 128
# Smaller tiles give the network too little context to be useful.
MIN_TILE_SIZE = 32


def tile_starts(length, tile_size, overlap):
    """Evenly spaced tile offsets covering `length` pixels.

    Args:
        length: Image height or width, pixels.
        tile_size: Tile side, pixels.
        overlap: Minimum overlap of neighbouring tiles, pixels.

    Returns:
        A list of offsets: the first is 0, the last is `length - tile_size`
        (0 if the image is no longer than a tile) and neighbouring tiles
        overlap by at least `overlap` pixels.
    """
    if length <= tile_size:
        return [0]
    count = math.ceil((length - overlap) / (tile_size - overlap))
    span = length - tile_size
    return [round(i * span / (count - 1)) for i in range(count)]


def _ramp(size):
    """Raised cosine rising from near 0 to near 1 over `size` pixels."""
    t = (np.arange(size, dtype=np.float64) + 0.5) / size
    return 0.5 - 0.5 * np.cos(np.pi * t)


def blend_weights(length, starts, tile_size):
    """Per-tile 1-D blending weights that sum to 1 at every pixel.

    Each tile's weight rises over its overlap with the previous tile and
    falls over its overlap with the next one (raised cosine), then all
    weights are divided by their sum.

    Args:
        length: Image height or width, pixels.
        starts: Tile offsets from `tile_starts`.
        tile_size: Tile side, pixels.

    Returns:
        A list of float32 arrays, one per tile, of length
        `min(tile_size, length)`.
    """
    size = min(tile_size, length)
    weights = []
    for i, start in enumerate(starts):
        w = np.ones(size, np.float64)
        if i > 0:
            rise = starts[i - 1] + size - start
            w[:rise] *= _ramp(rise)
        if i + 1 < len(starts):
            fall = start + size - starts[i + 1]
            w[size - fall:] *= _ramp(fall)[::-1]
        weights.append(w)
    total = np.zeros(length, np.float64)
    for start, w in zip(starts, weights):
        total[start:start + size] += w
    return [(w / total[s:s + size]).astype(np.float32)
            for s, w in zip(starts, weights)]


def check_tile_sizes(tile_size, overlap):
    """Raises ValueError unless `tile_size` (0 or None: no tiling) and
    `overlap` are usable by `map_tiles`."""
    if not tile_size:
        return
    if tile_size < MIN_TILE_SIZE:
        raise errors.ArgumentError(
            f"{{tile_size}} must be at least {MIN_TILE_SIZE} pixels (or 0 "
            f"for no tiling). Received: {{tile_size:value}}={tile_size}",
            ("tile_size",))
    if not 0 <= overlap <= tile_size // 2:
        raise ValueError(
            "`overlap` must be between 0 and half the tile size "
            f"({tile_size // 2}). Received: overlap={overlap}")


def map_tiles(image, fn, tile_size=DEFAULT_TILE_SIZE,
              overlap=DEFAULT_OVERLAP, on_tile=None, with_window=False):
    """Applies `fn` to overlapping tiles of `image` and blends the results.

    Args:
        image: uint8 RGB array, HWC.
        fn: Maps a uint8 HWC tile (a read-only view) to an HWC array of
            the same shape: float32 with values in [0, 1], or uint8.
        tile_size: Side of the square tiles, pixels; 0 or None processes
            the whole image at once. Images no larger than a tile are
            processed at once too (a uint8 result is then the output).
        overlap: Minimum overlap of neighbouring tiles, pixels, at most
            half a tile.
        on_tile: Optional callback `on_tile(done, total)` after each tile.
        with_window: Call `fn(tile, window)`, where `window` is the
            tile's place, `(rows, columns)` slices of `image`
            (`image[window]` is the tile), e.g. to take other data of that
            place (style masks) along.

    Returns:
        A uint8 RGB array, HWC, of the image's size.

    Raises:
        ValueError: If `tile_size` or `overlap` is out of range.

    Example:

    >>> out = map_tiles(photo, lambda t: t / 255.0, tile_size=512)
    """
    height, width = image.shape[:2]
    check_tile_sizes(tile_size, overlap)
    if not tile_size:
        tile_size, overlap = max(height, width), 0
    ys = tile_starts(height, tile_size, overlap)
    xs = tile_starts(width, tile_size, overlap)
    tile_h, tile_w = min(tile_size, height), min(tile_size, width)
    view = image.view()
    view.flags.writeable = False

    def tile_result(y, x):
        window = np.s_[y:y + tile_h, x:x + tile_w]
        result = np.asarray(fn(view[window], window) if with_window
                            else fn(view[window]))
        if result.shape != (tile_h, tile_w, 3):
            raise ValueError(
                f"The tile function returned shape {result.shape} for "
                f"a tile of shape {(tile_h, tile_w, 3)}.")
        return result

    if len(ys) == len(xs) == 1:  # One tile: its weight is 1 everywhere.
        output = image_io.as_uint8(tile_result(0, 0))
        if np.may_share_memory(output, image):  # `fn` returned its tile.
            output = output.copy()
        if on_tile is not None:
            on_tile(1, 1)
        return output
    wy = blend_weights(height, ys, tile_size)
    wx = blend_weights(width, xs, tile_size)
    output = np.empty((height, width, 3), np.uint8)
    # `acc` holds the blended rows [acc_top, acc_top + len(acc)) that are
    # not finished yet: the next row of tiles still adds to them.
    acc = np.zeros((0, width, 3), np.float32)
    acc_top = 0
    done, total = 0, len(ys) * len(xs)
    for i, y in enumerate(ys):
        rows = y + tile_h - acc_top
        if rows > len(acc):
            grown = np.zeros((rows, width, 3), np.float32)
            grown[:len(acc)] = acc
            acc = grown
        for j, x in enumerate(xs):
            result = image_io.as_float(tile_result(y, x))
            weight = wy[i][:, None, None] * wx[j][None, :, None]
            acc[y - acc_top:y - acc_top + tile_h, x:x + tile_w] += (
                result * weight)
            done += 1
            if on_tile is not None:
                on_tile(done, total)
        finished = (ys[i + 1] if i + 1 < len(ys) else height) - acc_top
        output[acc_top:acc_top + finished] = image_io.to_uint8(
            acc[:finished])
        acc = acc[finished:].copy()
        acc_top += finished
    return output
