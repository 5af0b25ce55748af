"""A stand-in preview of a new style, painted the moment its job is posted.

The training subprocess paints the job's first preview (the sample photo
in the blend of the learned styles whose Gram matrices are closest to the
painting's, docs/styles.md) only once it has imported TensorFlow and read
the model and VGG-19: about 14 s on 2 cores. Until then the server shows
the same sample photo painted by its own preview network in the blend of
the learned styles closest to the painting *in colour*: each style's
thumbnail picture (its painting, or a swatch painted in it) and the
painting are summarised by the mean and covariance of their RGB pixels,
compared by the Frechet distance between those Gaussians (Dowson and
Landau 1982, as in FID), and the `NEAREST` closest are blended with
weights proportional to 1 / distance. No VGG-19 and no training code: a
few milliseconds, then one preview painting.
"""

import base64
import io

import numpy as np
from PIL import Image

from multistyle.io import image_io
from multistyle.model_folder import presets
from multistyle.serving import painter as painter_lib

SIZE = 256  # The long side of the training's previews.
NEAREST = 3
_STATS_SIZE = 96  # Pixels enough for colour statistics.


def colour_statistics(image):
    """Mean `(3,)` and covariance `(3, 3)` of a uint8 RGB image's pixels,
    in [0, 1]."""
    pixels = image_io.to_float(image).reshape(-1, 3).astype(np.float64)
    return pixels.mean(axis=0), np.cov(pixels, rowvar=False)


def _sqrtm(matrix):
    """The square root of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(first, second):
    """The Frechet distance between two Gaussians `(mean, covariance)`:
    `|m1 - m2|^2 + tr(C1 + C2 - 2 (C1^1/2 C2 C1^1/2)^1/2)`, at least 0."""
    (m1, c1), (m2, c2) = first, second
    root = _sqrtm(c1)
    cross = _sqrtm(root @ c2 @ root)
    return max(0.0, float(np.sum((m1 - m2) ** 2)
                          + np.trace(c1 + c2 - 2.0 * cross)))


def closest_weights(painting, pictures, nearest=NEAREST):
    """Style weights `(len(pictures),)` summing to 1: the `nearest`
    pictures closest to `painting` in colour (`frechet_distance`), each
    weighted by 1 / distance (all of it to an exact match)."""
    target = colour_statistics(painting)
    distances = np.array([frechet_distance(target, colour_statistics(p))
                          for p in pictures])
    weights = np.zeros(len(pictures), np.float32)
    chosen = np.argsort(distances)[:nearest]
    weights[chosen] = 1.0 / np.maximum(distances[chosen], 1e-9)
    return weights / weights.sum()


def _decoded(data_url):
    data = base64.b64decode(data_url.split(",", 1)[1])
    with Image.open(io.BytesIO(data)) as image:
        return image_io.to_rgb_array(image)


class InstantPreview:
    """`instant(job)`: the sample photo (an RGB PIL image, `SIZE` long)
    painted in the blend closest in colour to the job's painting, with the
    served model's preview network; painted once per job.

    Args:
        served: The `served_model.ServedModel`.
    """

    def __init__(self, served):
        self.served = served
        self._photo = None
        self._painted = {}

    def __call__(self, job):
        if job.id not in self._painted:
            painter, styles = self.served.current
            if self._photo is None:
                self._photo = image_io.resize_long_side(
                    image_io.load_image(presets.sample_photo()), SIZE)
            with Image.open(job.painting) as image:
                image.thumbnail((_STATS_SIZE, _STATS_SIZE))
                painting = image_io.to_rgb_array(image)
            weights = closest_weights(
                painting, [_decoded(s["thumbnail"]) for s in styles])
            self._painted[job.id] = painter.paint(
                self._photo, painter_lib.PaintOptions(
                    weights=weights, preview=True, max_size=SIZE))
        return self._painted[job.id]
