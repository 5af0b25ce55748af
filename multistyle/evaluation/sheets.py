"""The evaluation's pictures: a grid of photos in every style and, beside a
peer, a side-by-side sheet, both on the photos with the most highlights
(where white blobs show)."""

import os

import numpy as np

from multistyle.evaluation import evaluate
from multistyle.inference import grid
from multistyle.io import image_io

GRID_FILE = "grid.jpg"
SIDE_BY_SIDE_FILE = "side_by_side.jpg"


def write_sheets(out, model, photos, styles, paintings, painters,
                 grid_photos, cell_size):
    """Writes `GRID_FILE` and, with more painters than ours,
    `SIDE_BY_SIDE_FILE` into `out`.

    Args:
        out: An existing folder.
        model: The `Stylizer` of our model.
        photos: float32 HWC photos in [0, 1].
        styles: The model's `Style`s.
        paintings: Each style's painting, float32 HWC.
        painters: `{name: paint}`, ours first (`evaluate.network_painter`).
        grid_photos: Photos in the grid (0: no grid).
        cell_size: Long side of each image on a sheet, pixels.

    Returns:
        `(grid_file, sheet_file)`: the names written, None where not.
    """
    grid_file = sheet_file = None
    if grid_photos > 0:
        grid_file = GRID_FILE
        chosen = evaluate.brightest_first(photos, grid_photos)
        sheet = grid.make_photo_sheet(
            model, [image_io.to_uint8(photos[i]) for i in chosen], cell_size)
        image_io.save_image(os.path.join(out, grid_file), np.asarray(sheet))
    if len(painters) > 1:
        sheet_file = SIDE_BY_SIDE_FILE
        photo = photos[evaluate.brightest_first(photos, 1)[0]]
        sheet = grid.make_side_by_side_sheet(
            [s.name for s in styles], paintings, photo, painters, cell_size)
        image_io.save_image(os.path.join(out, sheet_file), np.asarray(sheet))
    return grid_file, sheet_file
