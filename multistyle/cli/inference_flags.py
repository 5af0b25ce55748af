"""Flags shared by the tools that apply a trained model, defined once.

`multistyle-stylize` and `multistyle-grid` both take `--model`, `--input`,
`--output` and `--preserve_color`; without `--model` and `--input` they use
the model and sample photo shipped in the repository, when it is there.
Defining the flags once lets both tools be imported into one process.
"""

import os

from absl import flags

# The repository holding the `multistyle` package (a source checkout).
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DEFAULT_MODEL_DIR = os.path.join(REPO_ROOT, "saved_models", "multistyle16")
DEFAULT_INPUT = os.path.join(REPO_ROOT, "samples", "photo.png")

MODEL = flags.DEFINE_string(
    "model", None,
    "Model folder: styles.json plus model.keras (from multistyle-train) or "
    "an exported SavedModel (from multistyle-export). Default: the shipped "
    "saved_models/multistyle16 of the repository.")
INPUT = flags.DEFINE_string(
    "input", None,
    "Photo to stylize: an image file, a folder (searched recursively) or a "
    "quoted glob such as 'photos/*.jpg'. Default: the repository's "
    "samples/photo.png.")

OUTPUT = flags.DEFINE_string(
    "output", None,
    "Output image file (the format follows the extension), or output "
    "folder when --input is a folder or glob. Default: stylized.jpg, "
    "stylized/ or grid.jpg in the current folder.")
PRESERVE_COLOR = flags.DEFINE_bool(
    "preserve_color", False,
    "Keep the photo's colours; take only the luminance from the style.")


def model_dir():
    """`--model`, or the shipped model folder; raises if there is none."""
    if MODEL.value:
        return MODEL.value
    if not os.path.isdir(DEFAULT_MODEL_DIR):
        raise FileNotFoundError(
            f"No --model given and the default model {DEFAULT_MODEL_DIR} "
            "does not exist; pass --model=FOLDER (a folder written by "
            "multistyle-train or multistyle-export).")
    return DEFAULT_MODEL_DIR


def input_path():
    """`--input`, or the shipped sample photo; raises if there is none."""
    if INPUT.value:
        return INPUT.value
    if not os.path.isfile(DEFAULT_INPUT):
        raise FileNotFoundError(
            f"No --input given and the sample photo {DEFAULT_INPUT} does "
            "not exist; pass --input=PHOTO (a file, folder or glob).")
    return DEFAULT_INPUT
