"""Style masks: grayscale images that say which style paints where.

Masks become a per-pixel style weight map `(height, width, num_styles)`
that the network takes in one forward pass (see `ConditionalInstanceNorm`):

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
"""

import numpy as np
from PIL import Image

from multistyle.inference import style_weights
from multistyle.io import image_io


def mask_from_rgb(rgb):
    """A uint8 RGB mask image as float32 in [0, 1], HW (white is 1; colour
    becomes luma)."""
    return image_io.to_float(Image.fromarray(rgb).convert("L"))


def load_mask(path):
    """Reads a mask image as float32 in [0, 1], HW (white is 1).

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


def weight_map(masks, mixes):
    """Combines masks and their regions' mixes into per-pixel weights.

    Args:
        masks: A list of float arrays in [0, 1], HW, all of one size.
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
    masks = [np.asarray(m, np.float32) for m in masks]
    mixes = [np.asarray(w, np.float32) for w in mixes]
    if not masks:
        raise ValueError("No masks given.")
    for i, mask in enumerate(masks[1:], start=1):
        if mask.shape != masks[0].shape:
            raise ValueError(
                f"All masks must have one size; mask 1 is "
                f"{_size(masks[0])} but mask {i + 1} is {_size(mask)}.")
    if len(masks) == 1:
        if len(mixes) != 2:
            raise ValueError(
                "A single mask picks between two styles (white: the first, "
                f"black: the second); {len(mixes)} were given. Name two, "
                "or give one mask per style.")
        shares = np.stack([masks[0], 1.0 - masks[0]], axis=-1)
    else:
        if len(mixes) != len(masks):
            raise ValueError(
                f"{len(masks)} masks need {len(masks)} styles, one per "
                f"mask, in the same order; {len(mixes)} were given.")
        shares = np.stack(masks, axis=-1)
        total = shares.sum(axis=-1, keepdims=True)
        shares = np.where(total > 0, shares / np.maximum(total, 1e-12),
                          1.0 / len(masks))
    return np.einsum("hwk,kn->hwn", shares,
                     np.stack(mixes)).astype(np.float32)


def load_weight_map(mask_paths, styles_spec, style_names, normalize=True):
    """`weight_map` of mask files and a styles spec (see `parse_styles`).

    Raises:
        ValueError: On bad counts, sizes or styles.
        ImageReadError: If a mask cannot be read.
    """
    if isinstance(mask_paths, str):
        mask_paths = mask_paths.split(",")
    masks = [load_mask(path.strip()) for path in mask_paths]
    return weight_map(masks, parse_styles(styles_spec, style_names,
                                          normalize=normalize))


def check_size(weights, height, width, what="the image"):
    """Raises ValueError unless a weight map is `height` x `width`."""
    if weights.shape[:2] != (height, width):
        raise ValueError(
            f"The style mask is {_size(weights)} pixels, {what} "
            f"{width}x{height} (width x height); masks must have the size "
            "of what they paint.")


def resize(weights, height, width):
    """Resizes a weight map (bilinear), e.g. with an image being downsized."""
    if weights.shape[:2] == (height, width):
        return weights
    channels = [np.asarray(Image.fromarray(
        np.ascontiguousarray(weights[..., i], np.float32)).resize(
        (width, height), Image.Resampling.BILINEAR))
        for i in range(weights.shape[-1])]
    return np.stack(channels, axis=-1).astype(np.float32)


def _size(array):
    return f"{array.shape[1]}x{array.shape[0]}"
