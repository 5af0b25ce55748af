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
"""

import dataclasses
import os
import time

import numpy as np

from multistyle import image_io
from multistyle.evaluation import optimize
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


def held_out_photo_files(folder, holdout_every):
    """The photos in `folder` that training holds out (every Nth file), or
    all of them when it holds out none."""
    files = image_io.find_images(folder)
    return data.split_holdout(files, holdout_every)[1] or files


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


def evaluate(network, styles, style_images, photos, vgg, content_layers,
             style_layers, reference_photos=0, reference_steps=200,
             reference_content_weight=optimize.DEFAULT_CONTENT_WEIGHT,
             progress=None):
    """Scores every style of `network` on `photos`.

    Args:
        network: `networks.load_network(...)` callable.
        styles: `style_set.Style` list, in the network's order.
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
        network's mean time per photo.
    """
    extractor = vgg.extractor(sorted(set(content_layers) | set(style_layers),
                                     key=vgg.layer_names.index))
    style_extractor = vgg.extractor(list(style_layers))
    scores, seconds = [], 0.0
    for i, (style, painting) in enumerate(zip(styles, style_images)):
        grams = style_targets.compute_style_grams(style_extractor,
                                                  [painting])
        weights = np.zeros((1, len(styles)), np.float32)
        weights[0, i] = 1.0
        start = time.perf_counter()
        painted = [np.asarray(network(photo[None], weights))[0]
                   for photo in photos]
        seconds += time.perf_counter() - start
        content, style_loss, by_layer = _mean_scores(
            extractor, content_layers, style_layers, photos, painted, grams)
        score = StyleScore(
            style.name, content, style_loss, style_loss_by_layer=by_layer,
            white_fraction=float(np.mean([
                new_white_fraction(photo, out)
                for photo, out in zip(photos, painted)])),
            painting_white_fraction=white_fraction(painting))
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


def _number(value):
    return f"{value:.3f}" if np.isfinite(value) else "n/a"


def markdown_report(scores, seconds_per_image, settings, grid_file=None):
    """The evaluation as a Markdown table (with the settings used)."""
    lines = ["# Evaluation", ""]
    lines += [f"- {key}: {value}" for key, value in settings.items()]
    lines += [f"- network time per photo: {seconds_per_image * 1000:.1f} ms",
              "", "| style | content loss | style loss | reference content "
              "| reference style | white px | painting white px |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    keys = ("content_loss", "style_loss", "reference_content_loss",
            "reference_style_loss", "white_fraction",
            "painting_white_fraction")
    for s in scores:
        cells = " | ".join(_number(getattr(s, key)) for key in keys)
        lines.append(f"| {s.name} | {cells} |")
    means = " | ".join(_number(mean_score(scores, key)) for key in keys)
    lines.append(f"| **mean** | {means} |")
    by_layer = mean_style_loss_by_layer(scores)
    if by_layer:
        lines += ["", "Style loss by layer (mean over styles; the terms add "
                  "up to the style loss):", "",
                  "| " + " | ".join(by_layer) + " |",
                  "|" + "---:|" * len(by_layer),
                  "| " + " | ".join(_number(v) for v in by_layer.values())
                  + " |"]
    if grid_file:
        lines += ["", f"![styles]({grid_file})"]
    return "\n".join(lines) + "\n"
