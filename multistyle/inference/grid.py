"""A contact sheet of one photo in every style, plus style interpolations.

The first rows show the photo and then the photo in each style, every cell
labelled with the style's name. An optional strip below walks from one
chosen style to the next (`starry_night -> great_wave -> ...`) in even
steps, showing how the conditional instance norm blends styles (Dumoulin
et al. 2017, Fig. 7).

The evaluation's sheets are built here too: `make_photo_sheet` (a row per
photo, a column per style) and `make_side_by_side_sheet` (a row per style:
the painting, the photo, and the photo as each painter paints it).
"""

import math

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from multistyle.inference import style_weights
from multistyle.io import image_io
from multistyle.network import min_side

DEFAULT_CELL_SIZE = 256
DEFAULT_STEPS = 5
_LABEL_HEIGHT = 18
_GAP = 4
_BACKGROUND = (255, 255, 255)
_TEXT = (20, 20, 20)


def interpolation_weights(styles, style_names, steps=DEFAULT_STEPS):
    """Weight vectors walking through `styles` in even steps.

    Args:
        styles: Two or more style names or indices, visited in order.
        style_names: The model's style names.
        steps: Images from one style to the next, both ends included
            (at least 2); shared ends are not repeated.

    Returns:
        A list of `(weights, label, short_label)`: float32 vectors summing
        to 1, labels such as `"75% starry_night + 25% great_wave"` and
        short ones such as `"75% / 25%"` (the names alone at the ends).

    Raises:
        ValueError: If fewer than two styles, an unknown style, or `steps`
            below 2 are given.

    Example:

    >>> [label for _, label, _ in interpolation_weights(
    ...     ["a", "b"], ["a", "b"], steps=3)]
    ['a', '50% a + 50% b', 'b']
    """
    if len(styles) < 2:
        raise ValueError(
            "Interpolation needs at least two styles. Received: "
            f"{list(styles)}")
    if steps < 2:
        raise ValueError(f"`steps` must be at least 2. Received: {steps}")
    indices = [style_weights.style_index(s, style_names) for s in styles]
    cells = []
    for segment, (a, b) in enumerate(zip(indices, indices[1:])):
        for step in range(0 if segment == 0 else 1, steps):
            t = step / (steps - 1)
            weights = np.zeros(len(style_names), np.float32)
            weights[a] += 1.0 - t
            weights[b] += t
            if t == 0.0 or a == b:
                label = short = style_names[a]
            elif t == 1.0:
                label = short = style_names[b]
            else:
                share = round(100 * t)
                label = (f"{100 - share}% {style_names[a]} + "
                         f"{share}% {style_names[b]}")
                short = f"{100 - share}% / {share}%"
            cells.append((weights, label, short))
    return cells


def _fit_text(draw, labels, font, width):
    """The first of `labels` that fits in `width` px, else the last one
    shortened with an ellipsis."""
    for text in labels:
        if draw.textlength(text, font=font) <= width:
            return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def _cell(image, labels, font):
    """The image with a label centred on a band below it: the first of
    `labels` (longest first) that fits."""
    width, height = image.size
    cell = Image.new("RGB", (width, height + _LABEL_HEIGHT), _BACKGROUND)
    cell.paste(image, (0, 0))
    draw = ImageDraw.Draw(cell)
    text = _fit_text(draw, labels, font, width - 4)
    x = (width - draw.textlength(text, font=font)) / 2
    draw.text((x, height + 3), text, fill=_TEXT, font=font)
    return cell


def _sheet(rows):
    """Pastes rows of cells onto one white canvas, on a grid as wide and
    tall as the largest cell."""
    pitch = [max(cell.size[k] for row in rows for cell in row) + _GAP
             for k in (0, 1)]
    width = max(len(row) for row in rows) * pitch[0] + _GAP
    height = len(rows) * pitch[1] + _GAP
    canvas = Image.new("RGB", (width, height), _BACKGROUND)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            canvas.paste(cell, (_GAP + c * pitch[0], _GAP + r * pitch[1]))
    return canvas


def _thumbnail(image, cell_size):
    photo = Image.fromarray(image_io.as_rgb_array(image))
    photo.thumbnail((cell_size, cell_size), Image.Resampling.LANCZOS)
    return photo


def make_sheet(rows, cell_size=160):
    """Labelled images on a white grid, one list of cells per row.

    Args:
        rows: Lists of `(image, label)`: a path, PIL image or uint8 array,
            shrunk to `cell_size`, with its label on a band below it.
        cell_size: Long side of each cell's image, pixels.

    Returns:
        An RGB PIL image.
    """
    font = ImageFont.load_default()
    return _sheet([[_cell(_thumbnail(image, cell_size), [label], font)
                    for image, label in row] for row in rows])


def make_photo_sheet(stylizer, photos, cell_size=160):
    """One row per photo: the photo, then the photo in every style.

    Each photo is painted at its own size and then shrunk to its cell, so
    the cells show strokes as they are at that size.

    Args:
        stylizer: A `stylizer.Stylizer`.
        photos: Paths, PIL images or uint8 arrays.
        cell_size: Long side of each cell's image, pixels.

    Returns:
        An RGB PIL image.
    """
    names = stylizer.style_names
    rows = []
    for image in photos:
        photo = image_io.as_rgb_array(image)
        rows.append([(photo, "original")] + [
            (stylizer.stylize(photo, style_weights.one_hot(i, names)), name)
            for i, name in enumerate(names)])
    return make_sheet(rows, cell_size)


def make_side_by_side_sheet(style_names, paintings, photo, painters,
                            cell_size=160):
    """One row per style: its painting, the photo, then the photo as each
    painter paints it in that style, to compare painters by eye.

    Args:
        style_names: The styles' names (the rows' first labels).
        paintings: One painting per style, float RGB in [0, 1], HWC.
        photo: The photo, float32 RGB in [0, 1], HWC.
        painters: `{label: paint}`, columns in that order;
            `paint(style_index, photo)` returns the painted photo, float
            RGB in [0, 1], HWC.
        cell_size: Long side of each cell's image, pixels.

    Returns:
        An RGB PIL image.
    """
    rows = []
    for i, (name, painting) in enumerate(zip(style_names, paintings)):
        rows.append([(image_io.to_uint8(painting), name),
                     (image_io.to_uint8(photo), "photo")] + [
            (image_io.to_uint8(paint(i, photo)), label)
            for label, paint in painters.items()])
    return make_sheet(rows, cell_size)


def make_grid(stylizer, image, styles=None, interpolate=None,
              steps=DEFAULT_STEPS, cell_size=DEFAULT_CELL_SIZE, columns=None,
              preserve_color=False, stroke_scale=1.0):
    """Renders the photo in every style, plus an interpolation strip.

    Args:
        stylizer: A `stylizer.Stylizer`.
        image: The photo: a path, PIL image or uint8 array.
        styles: Names or indices of the styles to show; None shows all.
        interpolate: Two or more styles for the interpolation strip, or
            None for no strip.
        steps: Cells from one interpolated style to the next.
        cell_size: Long side of each cell's image, pixels (smaller photos
            are not enlarged).
        columns: Cells per row; None gives as many as the interpolation
            strip has (at most 8), or without one a near-square layout.
        preserve_color: Keep the photo's colours in every cell.
        stroke_scale: Stroke size in every cell (see `Stylizer.stylize`).

    Returns:
        An RGB PIL image.

    Raises:
        ValueError: On unknown styles, bad `steps` or `cell_size`.
        ImageReadError: If a path cannot be read as an image.
    """
    if cell_size < min_side.MIN_SIDE:
        raise ValueError(
            f"`cell_size` must be at least {min_side.MIN_SIDE}. "
            f"Received: cell_size={cell_size}")
    names = stylizer.style_names
    indices = (range(len(names)) if styles is None
               else [style_weights.style_index(s, names) for s in styles])
    strip = ([] if interpolate is None
             else interpolation_weights(interpolate, names, steps))
    photo = _thumbnail(image, cell_size)
    font = ImageFont.load_default()

    if columns is None:
        columns = min(8, len(strip) if strip else
                      math.ceil(math.sqrt(len(indices) + 1)))
    if columns < 1:
        raise ValueError(f"`columns` must be positive. Received: {columns}")

    def styled(weights, *labels):
        out = stylizer.stylize(np.asarray(photo), weights,
                               preserve_color=preserve_color, tile_size=0,
                               stroke_scale=stroke_scale)
        return _cell(out, labels, font)

    cells = [_cell(photo, ["original"], font)]
    cells += [styled(style_weights.one_hot(i, names), names[i])
              for i in indices]
    rows = [cells[i:i + columns] for i in range(0, len(cells), columns)]
    strip_cells = [styled(*cell) for cell in strip]
    rows += [strip_cells[i:i + columns]
             for i in range(0, len(strip_cells), columns)]
    return _sheet(rows)
