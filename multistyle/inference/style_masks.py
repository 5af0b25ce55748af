"""Style masks: grayscale images that say which style paints where.

Masks give per-pixel style weights `(height, width, num_styles)` that the
network takes in one forward pass (see `ConditionalInstanceNorm`):

- one mask and two styles (or mixes): white paints the first, black the
  second, gray a blend, so a blurred mask gives a soft transition;
- N masks and N styles: mask `i` is how much of style `i` each pixel gets;
  the masks are normalized to sum to 1 per pixel (a pixel that is black in
  every mask gets an equal share of each).

The styles are given as names separated by commas (`starry_night,
great_wave`) or, to give a region a mix, as mixes separated by semicolons
(`starry_night;great_wave=0.5,the_scream=0.5`). Masks are read like
photos (any mode; colour is turned into luma) and must have the size of
the image or video frames they paint.

The masks stay small: `StyleMasks` holds the uint8 mask images and the mix
of each region, and builds the weights of one window at a time
(`weights_for`), so a photo painted in tiles (`tiling`) holds one tile's
weights, never the whole photo's (64 bytes a pixel with 16 styles). A
window of the photo painted at another size (`stroke_scale`, `max_size`)
gets the weights the whole map resized to that size would give there
(bilinear), computed from the part of the masks around it.
"""

import numpy as np
from PIL import Image

from multistyle.inference import resized_window
from multistyle.inference import style_weights
from multistyle.io import image_io

def mask_from_rgb(rgb):
    """A uint8 RGB mask image as uint8 grayscale, HW (white is 255;
    colour becomes luma)."""
    return np.asarray(Image.fromarray(rgb).convert("L"))


def load_mask(path):
    """Reads a mask image as uint8 grayscale, HW (white is 255).

    Raises:
        FileNotFoundError: If there is no such file.
        ImageReadError: If the file cannot be read as an image.
    """
    return mask_from_rgb(image_io.load_image(path))
def parse_styles(spec, style_names, normalize=True):
    """The style mix of each mask region, in mask order.

    Args:
        spec: Style names or indices separated by commas, or mixes (see
            `style_weights.parse_mix`) separated by semicolons; or a list
            of mixes.
        style_names: The model's style names, in order.
        normalize: Scale each mix to sum to 1.

    Returns:
        A list of float32 weight vectors, one per region.

    Raises:
        ValueError: On an empty spec or an unknown style or bad mix.
    """
    if isinstance(spec, str):
        if ";" in spec:
            items = spec.split(";")
        elif "=" in spec:
            items = [spec]
        else:
            items = spec.split(",")
    else:
        items = list(spec)
    items = [str(item).strip() for item in items if str(item).strip()]
    if not items:
        raise ValueError(
            "No mask styles given; name the style of each mask region, "
            "e.g. starry_night,great_wave.")
    return [style_weights.parse_mix(item, style_names, normalize=normalize)
            for item in items]



class _Windowed:
    """Per-pixel weights made window by window (`weights_for`), and so
    whole (`weight_map`)."""

    def weight_map(self, size=None, styles=None):
        """The whole per-pixel map, float32 `(height, width, num_styles)`
        (or `len(styles)`) of the source's size or `size` (see
        `weights_for`)."""
        height, width = size or self.shape
        return self.weights_for(np.s_[0:height, 0:width], size, styles)


class StyleMasks(_Windowed):
    """Style masks and the mix each region paints: weights window by window.

    Args:
        masks: HW arrays of one size: uint8 (255 is white, as `load_mask`
            reads them) or float in [0, 1]. uint8 masks are kept as they
            are (a byte a pixel).
        mixes: Weight vectors `(num_styles,)`: two for a single mask
            (white, black), else one per mask.

    Attributes:
        masks: The masks, as given (float ones as float32).
        mixes: float32 `(regions, num_styles)`, the regions' mixes.
        styles: The indices of the styles some region paints, ascending
            (the others weigh 0 everywhere).

    Raises:
        ValueError: If the counts do not match or the masks differ in size.

    Example:

    >>> left = np.zeros((32, 48), np.uint8); left[:, :24] = 255
    >>> masks = StyleMasks([left], [np.eye(3)[0], np.eye(3)[1]])
    >>> masks.weights_for(np.s_[0:2, 20:28])[0, :, 0]
    array([1., 1., 1., 1., 0., 0., 0., 0.], dtype=float32)
    """

    def __init__(self, masks, mixes):
        masks = [np.asarray(m) for m in masks]
        masks = [m if m.dtype == np.uint8 else m.astype(np.float32)
                 for m in masks]
        mixes = [np.asarray(w, np.float32) for w in mixes]
        if not masks:
            raise ValueError("No masks given.")
        for i, mask in enumerate(masks[1:], start=1):
            if mask.shape != masks[0].shape:
                raise ValueError(
                    f"All masks must have one size; mask 1 is "
                    f"{_size(masks[0])} but mask {i + 1} is {_size(mask)}.")
        if len(masks) == 1 and len(mixes) != 2:
            raise ValueError(
                "A single mask picks between two styles (white: the first, "
                f"black: the second); {len(mixes)} were given. Name two, "
                "or give one mask per style.")
        if len(masks) > 1 and len(mixes) != len(masks):
            raise ValueError(
                f"{len(masks)} masks need {len(masks)} styles, one per "
                f"mask, in the same order; {len(mixes)} were given.")
        self.masks = masks
        self.mixes = np.stack(mixes)
        self.styles = _painted(self.mixes != 0)

    @property
    def shape(self):
        """The masks' `(height, width)`."""
        return self.masks[0].shape[:2]

    @property
    def num_styles(self):
        """Weights per pixel: the model's style count."""
        return self.mixes.shape[-1]

    def shares(self, window):
        """Each region's share of the pixels of `window` (`(rows,
        columns)` slices of the masks): float32 `(h, w, regions)`."""
        masks = [image_io.as_float(mask[window]) for mask in self.masks]
        if len(masks) == 1:
            return np.stack([masks[0], 1.0 - masks[0]], axis=-1)
        shares = np.stack(masks, axis=-1)
        total = shares.sum(axis=-1, keepdims=True)
        return np.where(total > 0, shares / np.maximum(total, 1e-12),
                        1.0 / len(masks))

    def weights_for(self, window, size=None, styles=None):
        """The per-pixel weights of one window of the painting.

        Args:
            window: `(rows, columns)` slices (with start and stop) of the
                painting.
            size: The painting's `(height, width)`, if not the masks':
                the masks are stretched to it (bilinear, as `resize`).
            styles: Only these styles' weights (indices, e.g. `styles`,
                the styles the masks paint), in that order; None: all.

        Returns:
            float32 `(h, w, len(styles) or num_styles)`, of the window's
            size.
        """
        shares = resized_window.resized_window(self.shares, self.shape,
                                               window, size)
        mixes = self.mixes if styles is None else self.mixes[:, styles]
        return shares @ mixes


class WeightMap(_Windowed):
    """A per-pixel weight array `(height, width, num_styles)`, windowed as
    `StyleMasks` is (`weights_for`, `weight_map`, `styles`, `shape`), e.g.
    one a caller built itself."""

    def __init__(self, weights):
        self.weights = np.asarray(weights, np.float32)
        if self.weights.ndim != 3:
            raise ValueError(
                "Per-pixel weights must be (height, width, num_styles). "
                f"Received: shape={self.weights.shape}")
        self.shape = self.weights.shape[:2]
        self.num_styles = self.weights.shape[-1]
        self.styles = _painted(np.any(self.weights, axis=(0, 1)))

    def weights_for(self, window, size=None, styles=None):
        """The weights of `window` of a painting of `size` (default the
        map's), float32 `(h, w, len(styles) or num_styles)`; see
        `StyleMasks.weights_for`."""
        def read(region):
            region = self.weights[region]
            return region if styles is None else region[..., styles]

        return resized_window.resized_window(read, self.shape, window, size)


def _painted(used):
    """The indices of the styles some pixel paints (`used`: one bool per
    style, or `(regions, styles)`); all of them if none is."""
    used = np.asarray(used).reshape(-1, used.shape[-1]).any(axis=0)
    return np.flatnonzero(used) if used.any() else np.arange(len(used))


def per_pixel(weights):
    """Per-pixel weights as a windowed source (`StyleMasks`, or a
    `WeightMap` of an `(height, width, num_styles)` array), or None for a
    weight vector (anything else)."""
    if isinstance(weights, (StyleMasks, WeightMap)):
        return weights
    if np.ndim(weights) == 3:
        return WeightMap(weights)
    return None


def weight_map(masks, mixes):
    """Combines masks and their regions' mixes into per-pixel weights.

    Args:
        masks: HW arrays of one size, uint8 or float in [0, 1] (see
            `StyleMasks`).
        mixes: Weight vectors: two for a single mask (white, black), else
            one per mask.

    Returns:
        A float32 array `(height, width, num_styles)`.

    Raises:
        ValueError: If the counts do not match or the masks differ in size.

    Example:

    >>> left = np.zeros((32, 48)); left[:, :24] = 1
    >>> weight_map([left], [np.eye(3)[0], np.eye(3)[1]])[0, 0]
    array([1., 0., 0.], dtype=float32)
    """
    return StyleMasks(masks, mixes).weight_map()


def load_masks(mask_paths, mixes):
    """`StyleMasks` of mask files (a list, or paths separated by commas)
    and their regions' mixes (see `parse_styles`).

    Raises:
        ValueError: On bad counts or sizes.
        FileNotFoundError, ImageReadError: If a mask cannot be read.
    """
    if isinstance(mask_paths, str):
        mask_paths = mask_paths.split(",")
    return StyleMasks([load_mask(path.strip()) for path in mask_paths],
                      mixes)


def load_weight_map(mask_paths, styles_spec, style_names, normalize=True):
    """`weight_map` of mask files and a styles spec (see `parse_styles`).

    Raises:
        ValueError: On bad counts, sizes or styles.
        ImageReadError: If a mask cannot be read.
    """
    return load_masks(mask_paths, parse_styles(
        styles_spec, style_names, normalize=normalize)).weight_map()


def check_size(weights, height, width, what="the image"):
    """Raises ValueError unless a weight map (or `StyleMasks`) is
    `height` x `width`."""
    if tuple(weights.shape[:2]) != (height, width):
        raise ValueError(
            f"The style mask is {_size(weights)} pixels, {what} "
            f"{width}x{height} (width x height); masks must have the size "
            "of what they paint.")


def resize(weights, height, width):
    """Resizes a weight map (bilinear), e.g. with an image being downsized."""
    return image_io.resize_float(weights, height, width)


def fit_mask(mask, height, width):
    """A mask (uint8 or float, HW) at `height` x `width`: itself if it has
    that size, else resized (bilinear) as float32 in [0, 1]."""
    mask = np.asarray(mask)
    if mask.shape[:2] == (height, width):
        return mask
    return resize(image_io.as_float(mask), height, width)


def _size(array):
    return f"{array.shape[1]}x{array.shape[0]}"
