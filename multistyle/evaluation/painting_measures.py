"""Measures of what a user sees in a painted photo: texture and colours.

The VGG-19 losses (`evaluate.py`) are the training loss itself, so they
cannot see what training does not ask for. These two compare the painted
photo with the painting directly, in pixels:

- texture energy = `mean|grad Y(painted)| / mean|grad Y(painting)|`, the
  mean Sobel gradient magnitude of the luminance
  `Y = 0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601, as in JPEG;
  `image_io.luma`). 1 means as much fine texture as the painting has; a
  flat image scores 0.
- colour distance = `SW(painted, painting) / SW(photo, painting)`, where
  `SW` is the sliced Wasserstein distance between the CIE Lab (D65) pixel
  distributions of two images. 1 means the colours are unchanged, 0 the
  painting's palette.

Both take float RGB arrays in [0, 1], HWC, of any size (the painting's may
differ from the photo's), and are deterministic: the projections and the
pixel sample come from a fixed seed.
"""

import numpy as np

from multistyle.io import image_io
from multistyle.loss import losses

# Sliced Wasserstein: unit directions in Lab space, and at most this many
# pixels per image, so a 512 px pair takes a few milliseconds.
NUM_DIRECTIONS = 64
MAX_PIXELS = 2048
_SEED = 0

# Linear sRGB -> CIE XYZ (D65), and the D65 white point.
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_WHITE_XYZ = np.array([0.95047, 1.0, 1.08883])


def gradient_energy(image):
    """Mean Sobel gradient magnitude of an image's luminance.

    `mean(sqrt(Gx^2 + Gy^2))` over the pixels whose 3x3 neighbourhood lies
    inside the image, with the Sobel kernels `Gx = [[-1, 0, 1], [-2, 0, 2],
    [-1, 0, 1]]` and `Gy = Gx^T` on the luminance `image_io.luma(image)`
    (`Y = 0.299 R + 0.587 G + 0.114 B`).

    Args:
        image: float RGB in [0, 1], HWC, at least 3x3.

    Returns:
        A float; 0 for a flat image.
    """
    if min(np.shape(image)[:2]) < 3:
        raise ValueError(
            f"`image` must be at least 3x3. Received: shape={np.shape(image)}")
    # The texture loss's measure (`losses.gradient_energy`), on one image.
    return float(np.asarray(losses.gradient_energy(
        np.asarray(image, np.float32)[None]))[0])


def texture_energy(painted, painting):
    """Texture of the painted photo relative to the painting's.

    `gradient_energy(painted) / gradient_energy(painting)`: 1 when the
    painted photo has as much fine texture (brush strokes, canvas, edges)
    per pixel as the painting, 0 when flat.

    Args:
        painted: The painted photo, float RGB in [0, 1], HWC.
        painting: The style's painting, float RGB in [0, 1], HWC.

    Returns:
        A float; NaN if the painting is flat.

    Example:

    >>> ramp = np.repeat(np.linspace(0, 1, 8)[None, :, None], 8, axis=0)
    >>> texture_energy(np.full((8, 8, 3), 0.5), ramp.repeat(3, axis=2))
    0.0
    """
    reference = gradient_energy(painting)
    if reference == 0:
        return float("nan")
    return gradient_energy(painted) / reference


def rgb_to_lab(rgb):
    """CIE L*a*b* (D65) of sRGB colours in [0, 1] (any shape `(..., 3)`).

    sRGB is decoded to linear light, taken to XYZ and then to Lab with the
    CIE 1976 formulas; L* is in [0, 100].
    """
    rgb = np.clip(np.asarray(rgb, np.float64), 0.0, 1.0)
    linear = np.where(rgb <= 0.04045, rgb / 12.92,
                      ((rgb + 0.055) / 1.055) ** 2.4)
    t = linear @ _RGB_TO_XYZ.T / _WHITE_XYZ
    delta = 6 / 29
    f = np.where(t > delta**3, np.cbrt(t), t / (3 * delta**2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16,
                     500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def _directions():
    rng = np.random.default_rng(_SEED)
    v = rng.standard_normal((NUM_DIRECTIONS, 3))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


_DIRECTIONS = _directions()
_LEVELS = (np.arange(MAX_PIXELS) + 0.5) / MAX_PIXELS


def _projected_quantiles(image):
    """The `MAX_PIXELS` quantiles of the image's Lab pixels projected on
    each direction (a `(NUM_DIRECTIONS, MAX_PIXELS)` array)."""
    pixels = np.asarray(image).reshape(-1, 3)
    if len(pixels) > MAX_PIXELS:
        # The same seeded sample (with replacement) for every image of a
        # given size, so a photo and its painted copy share pixels.
        pixels = pixels[np.random.default_rng(_SEED).integers(
            0, len(pixels), MAX_PIXELS)]
    lab = rgb_to_lab(pixels).astype(np.float32)
    projected = np.sort(_DIRECTIONS @ lab.T, axis=-1)
    if projected.shape[1] == MAX_PIXELS:
        return projected
    own_levels = (np.arange(projected.shape[1]) + 0.5) / projected.shape[1]
    return np.stack([np.interp(_LEVELS, own_levels, row)
                     for row in projected])


def _quantile_gap(quantiles_a, quantiles_b):
    """Mean over directions of the 1-D W1 distance: the mean absolute
    difference of matching quantiles."""
    return float(np.mean(np.abs(quantiles_a - quantiles_b), dtype=np.float64))


def sliced_wasserstein(image_a, image_b):
    """Sliced Wasserstein distance between two images' Lab pixel colours.

    `SW(a, b) = mean over directions d of W1(<Lab(a), d>, <Lab(b), d>)`,
    where `W1` between two 1-D distributions is the mean absolute
    difference of their quantiles (`MAX_PIXELS` levels), over
    `NUM_DIRECTIONS` fixed random unit directions. Images with more than
    `MAX_PIXELS` pixels are represented by a fixed seeded sample of them.
    In Lab units (Delta E 1976): 0 for the same colours, whatever their
    arrangement.

    Args:
        image_a, image_b: float RGB in [0, 1], HWC; sizes may differ.

    Returns:
        A non-negative float.
    """
    return _quantile_gap(_projected_quantiles(image_a),
                         _projected_quantiles(image_b))


def colour_distance(painted, photo, painting):
    """How far the painted photo's colours still are from the painting's.

    `SW(painted, painting) / SW(photo, painting)` (`sliced_wasserstein`):
    1 when painting kept the photo's colours, 0 when it took the
    painting's palette (below 1 is closer to the palette).

    Args:
        painted: The painted photo, float RGB in [0, 1], HWC.
        photo: The photo it was painted from, float RGB in [0, 1], HWC.
        painting: The style's painting, float RGB in [0, 1], HWC.

    Returns:
        A float; NaN if the photo already has the painting's colours.

    Example:

    >>> photo = np.zeros((4, 4, 3)); painting = np.ones((4, 4, 3))
    >>> colour_distance(photo, photo, painting)
    1.0
    """
    target = _projected_quantiles(painting)
    reference = _quantile_gap(_projected_quantiles(photo), target)
    if reference == 0:
        return float("nan")
    return _quantile_gap(_projected_quantiles(painted), target) / reference
