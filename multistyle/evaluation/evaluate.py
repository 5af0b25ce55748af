"""Measures how well a trained model paints: content kept, style matched.

For every style, the model paints each evaluation photo and VGG-19 compares
the result with the photo (content) and with the painting (style):

- content loss = mean over photos of, for each content layer,
  `mean((F - P)^2) / mean(P^2)` (F: features of the painted photo, P: of
  the photo);
- style loss = mean over photos of the sum over style layers of
  `mean((G - A)^2) / mean(A^2)` (G: Gram matrix of the painted photo, A:
  of the painting at `style_image_size`).

Both are means of relative errors (`losses.py`), so they compare across
image sizes and layers. Lower is better for both; a copy of the photo has
content loss 0, and pixel optimization (`optimize.py`) shows what the same
losses reach when the pixels of one image are optimized directly.

Being the training loss, they cannot see what training does not ask for,
so the pixels are measured too, as means over photos: texture energy and
colour distance (`painting_measures.py`) and the share of near-white
pixels the painting added (`new_white_fraction`). `evaluate_painter`
scores any painter the same way, e.g. another project's network for the
same paintings.
"""

import dataclasses
import os
import time

import numpy as np

from multistyle.evaluation import optimize
from multistyle.evaluation import painting_measures
from multistyle.io import image_io
from multistyle.loss import losses
from multistyle.loss import style_targets
from multistyle.training import data


@dataclasses.dataclass
class StyleScore:
    """Mean losses of one style over the evaluation photos."""

    name: str
    content_loss: float
    style_loss: float
    reference_content_loss: float = float("nan")
    reference_style_loss: float = float("nan")
    # `painting_measures`: texture of the painted photo over the
    # painting's (and of the unpainted photo, for scale), and how far its
    # colours still are from the painting's (1: the photo's, 0: the
    # painting's palette).
    texture_energy: float = float("nan")
    photo_texture_energy: float = float("nan")
    colour_distance: float = float("nan")
    # Share of pixels painted saturated near-white where the photo is not,
    # and of near-white pixels in the style's painting: far more in the
    # first shows the bright blob artifact of undertrained networks.
    white_fraction: float = float("nan")
    painting_white_fraction: float = float("nan")
    # The style loss's terms, one per style layer (they add up to it).
    style_loss_by_layer: dict = dataclasses.field(default_factory=dict)


WHITE_LEVEL = 0.92


def _white(image):
    return np.min(image, axis=-1) >= WHITE_LEVEL


def white_fraction(image):
    """Share of pixels whose every channel is at least `WHITE_LEVEL`."""
    return float(np.mean(_white(image)))


def new_white_mask(photo, painted):
    """Pixels near-white in `painted` but not in `photo` (HW bools)."""
    return _white(painted) & ~_white(photo)


def new_white_fraction(photo, painted):
    """Share of pixels near-white in `painted` but not in `photo`."""
    return float(np.mean(new_white_mask(photo, painted)))


def find_style_image(style, styles_dir=None):
    """The painting of a style: its recorded source, else a file of the
    same name in `styles_dir`."""
    if style.source and os.path.isfile(style.source):
        return style.source
    if styles_dir:
        candidate = os.path.join(styles_dir, os.path.basename(style.source))
        if style.source and os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        f"Painting of style '{style.name}' not found (recorded source: "
        f"{style.source or 'none'}). Give `styles_dir`, a folder holding it.")


def held_out_photo_files(folder, holdout_every, max_photos=None):
    """The photos in `folder` that training holds out (every Nth file), or
    all of them when it holds out none; the first `max_photos` if given.

    Raises:
        FileNotFoundError: If there are none.
    """
    files = image_io.find_images(folder)
    chosen = (image_io.split_holdout(files, holdout_every)[1]
              or files)[:max_photos]
    if not chosen:
        raise FileNotFoundError(f"No photos found in {folder}.")
    return chosen


def load_photos(paths, size, square=False):
    """Photos as float32 RGB [0, 1] HWC arrays, in a list.

    Each is scaled so its long side is `size` px (as users paint photos),
    or with `square=True` centre-cropped to a `size` square.
    """
    resize = (data.center_crop if square else image_io.resize_long_side)
    return [image_io.to_float(resize(image_io.load_image(p), size))
            for p in paths]


def _scores(extractor, content_layers, style_layers, photo, painted, grams):
    """Content loss and the style loss of each style layer, of one painted
    photo (HWC arrays), as one row."""
    photo_features = extractor(photo[None])
    painted_features = extractor(painted[None])
    content = sum(float(np.asarray(losses.content_loss(
        painted_features[n], photo_features[n]))[0]) for n in content_layers)
    return [content] + [float(np.asarray(losses.style_loss(
        painted_features[n], grams[n]))[0]) for n in style_layers]


def _mean_scores(extractor, content_layers, style_layers, photos, painted,
                 grams):
    """Mean content loss, style loss, and style loss by layer (a dict)."""
    rows = [_scores(extractor, content_layers, style_layers, photo, out,
                    grams) for photo, out in zip(photos, painted)]
    content, *by_layer = (float(v) for v in np.mean(rows, axis=0))
    return content, sum(by_layer), dict(zip(style_layers, by_layer))


def _pixel_scores(photos, painted, painting):
    """`StyleScore` fields measured on the pixels, means over photos."""
    measures = painting_measures
    return dict(
        texture_energy=float(np.mean([
            measures.texture_energy(out, painting) for out in painted])),
        photo_texture_energy=float(np.mean([
            measures.texture_energy(photo, painting) for photo in photos])),
        colour_distance=float(np.mean([
            measures.colour_distance(out, photo, painting)
            for photo, out in zip(photos, painted)])),
        white_fraction=float(np.mean([
            new_white_fraction(photo, out)
            for photo, out in zip(photos, painted)])),
        painting_white_fraction=white_fraction(painting))


def evaluate_painter(paint, styles, style_images, photos, vgg,
                     content_layers, style_layers, reference_photos=0,
                     reference_steps=200,
                     reference_content_weight=optimize.DEFAULT_CONTENT_WEIGHT,
                     progress=None):
    """Scores any painter in every style on `photos`.

    Args:
        paint: `callable(style_index, photo)` returning the photo painted
            in that style: float32 RGB in [0, 1], HWC, of the photo's
            shape.
        styles: `style_set.Style` list; `paint` knows them by index.
        style_images: One float32 HWC painting per style.
        photos: float32 HWC photos in [0, 1] (a list; sizes may differ),
            painted one at a time.
        vgg: `vgg_features.VGGFeatures` with real ImageNet weights.
        content_layers, style_layers: VGG layer names.
        reference_photos: Also optimize this many photos per style with
            `optimize.optimize_image` as a reference (0: skip; slow).
        reference_steps: Optimization steps per reference image.
        reference_content_weight: Content weight of the reference.
        progress: Optional `callable(done, total)`.

    Returns:
        `(scores, seconds_per_image)`: a `StyleScore` per style and the
        painter's mean time per photo.
    """
    extractor = vgg.extractor(sorted(set(content_layers) | set(style_layers),
                                     key=vgg.layer_names.index))
    style_extractor = vgg.extractor(list(style_layers))
    scores, seconds = [], 0.0
    for i, (style, painting) in enumerate(zip(styles, style_images)):
        grams = style_targets.compute_style_grams(style_extractor,
                                                  [painting])
        start = time.perf_counter()
        painted = [paint(i, photo) for photo in photos]
        seconds += time.perf_counter() - start
        content, style_loss, by_layer = _mean_scores(
            extractor, content_layers, style_layers, photos, painted, grams)
        score = StyleScore(style.name, content, style_loss,
                           style_loss_by_layer=by_layer,
                           **_pixel_scores(photos, painted, painting))
        if reference_photos:
            optimized = [optimize.optimize_image(
                photo, grams, vgg, content_layers,
                dict.fromkeys(style_layers, 1.0),
                content_weight=reference_content_weight,
                num_steps=reference_steps, verbose=0)[0]
                for photo in photos[:reference_photos]]
            (score.reference_content_loss,
             score.reference_style_loss, _) = _mean_scores(
                 extractor, content_layers, style_layers,
                 photos[:reference_photos], optimized, grams)
        scores.append(score)
        if progress:
            progress(i + 1, len(styles))
    return scores, seconds / (len(styles) * len(photos))


def network_painter(network, num_styles):
    """`paint(style_index, photo)` of a multistyle network: the photo in
    one style (float32 HWC in, float32 HWC out)."""
    def paint(index, photo):
        weights = np.zeros((1, num_styles), np.float32)
        weights[0, index] = 1.0
        return np.asarray(network(photo[None], weights))[0]

    return paint


def evaluate(network, styles, style_images, photos, vgg, content_layers,
             style_layers, **kwargs):
    """Scores every style of `network` on `photos`.

    `evaluate_painter` with the network painting each style alone.

    Args:
        network: `networks.load_network(...)` callable.
        styles: `style_set.Style` list, in the network's order.
        style_images, photos, vgg, content_layers, style_layers, **kwargs:
            As for `evaluate_painter`.

    Returns:
        `(scores, seconds_per_image)`: a `StyleScore` per style and the
        network's mean time per photo.
    """
    return evaluate_painter(network_painter(network, len(styles)), styles,
                            style_images, photos, vgg, content_layers,
                            style_layers, **kwargs)


def brightest_first(photos, count):
    """Indices of `count` photos for a grid: the one with the most
    near-white pixels (highlights show blob artifacts), then the first
    others in order."""
    bright = [float(np.mean(photo.mean(axis=-1) > 0.9)) for photo in photos]
    first = int(np.argmax(bright))
    rest = [i for i in range(len(photos)) if i != first]
    return [first, *rest][:count]


def mean_score(scores, key):
    """Mean of one `StyleScore` field over styles (NaN when unmeasured)."""
    values = [getattr(s, key) for s in scores]
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def mean_style_loss_by_layer(scores):
    """Each style layer's term of the style loss, mean over styles."""
    layers = scores[0].style_loss_by_layer if scores else {}
    return {layer: float(np.mean([s.style_loss_by_layer[layer]
                                  for s in scores])) for layer in layers}
