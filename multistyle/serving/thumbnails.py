"""A small picture of each style for the page: its painting, or a swatch.

A style's painting is found from the model folder: its `styles.json`
names the file each style came from (`source`) and the training config
the paintings it was given. Where the painting is not on this machine (a
model folder copied elsewhere), the thumbnail is a swatch instead: a
built-in picture of sky, sea and sun painted in that style alone, which
shows the style's colours and strokes as well.
"""

import base64
import io
import os

import numpy as np
from PIL import Image
from PIL import ImageOps

from multistyle.io import image_io

SIZE = 96
SWATCH_SIZE = 128  # Painted larger, so strokes show, then shrunk.


def painting_path(style, index, model_dir, config):
    """The painting file of style `index`, or None if it is not here.

    Looks at the style's `source` (if absolute, then beside the model
    folder) and at the training config's `styles` (the file at the
    style's position, or one with the source's name in a listed folder).
    """
    source = style.source or ""
    # A relative source is beside the model folder, never in the cwd.
    candidates = [source] if os.path.isabs(source) else []
    candidates.append(os.path.join(model_dir, source))
    listed = config.get("styles")
    listed = [listed] if isinstance(listed, str) else list(listed or [])
    if index < len(listed):
        candidates.append(listed[index])
    candidates += [os.path.join(p, os.path.basename(source)) for p in listed]
    for path in candidates:
        if (source and os.path.isfile(path)
                and os.path.basename(path) == os.path.basename(source)):
            return path
    return None


def _read_small(path):
    """The painting, decoded at a reduced scale where the format allows."""
    with Image.open(path) as image:
        image.draft("RGB", (2 * SIZE, 2 * SIZE))  # JPEG: decode at 1/8.
        return image_io.to_rgb_array(image)


def swatch_photo(size=SWATCH_SIZE):
    """The built-in swatch picture: uint8 RGB `(size, size, 3)`, a sky
    gradient, a sun and a wavy sea."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    sky = np.stack([0.55 + 0.3 * y, 0.7 + 0.2 * y, 0.95 - 0.1 * y], -1)
    sea = np.stack([0.1 + 0.1 * x, 0.35 + 0.1 * x, 0.6 + 0.1 * y], -1)
    horizon = 0.62 + 0.04 * np.sin(9.0 * x)
    image = np.where((y > horizon)[..., None], sea, sky)
    sun = (x - 0.7) ** 2 + (y - 0.3) ** 2 < 0.015
    image[sun] = (1.0, 0.85, 0.35)
    return image_io.to_uint8(image)


def data_url(array):
    """A uint8 RGB array as a `SIZE`-square JPEG `data:` URL."""
    image = ImageOps.fit(Image.fromarray(array), (SIZE, SIZE),
                         Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ("data:image/jpeg;base64,"
            + base64.b64encode(buffer.getvalue()).decode("ascii"))


def style_thumbnails(stylizer, known=()):
    """One entry per style of a `Stylizer`: `name`, `index`, `thumbnail`
    (a JPEG `data:` URL) and `thumbnail_source` (`"painting"` or
    `"swatch"`, painted by `stylizer` in that style). A style with an
    entry in `known` (by name: a model that grew by a style keeps the
    others) keeps its thumbnail."""
    known = {entry["name"]: entry for entry in known}
    entries = []
    for index, style in enumerate(stylizer.styles):
        if style.name in known:
            entries.append({**known[style.name], "index": index})
            continue
        path = painting_path(style, index, stylizer.model_dir,
                             stylizer.config)
        if path is not None:
            try:
                picture, kind = _read_small(path), "painting"
            except (OSError, ValueError):
                path = None
        if path is None:
            weights = stylizer.weights(style=index)
            picture = np.asarray(stylizer.stylize(swatch_photo(), weights))
            kind = "swatch"
        entries.append({"name": style.name, "index": index,
                        "thumbnail": data_url(picture),
                        "thumbnail_source": kind})
    return entries
