"""The models and the sample photo that ship with multistyle, by name.

A *preset* is a trained model folder that travels with the package, named
as keras-hub names its presets: `Stylizer.from_preset("multistyle16")`,
`multistyle-stylize --model=multistyle16`. Wherever a tool takes a model
folder, `resolve_model_dir` lets it take a preset name as well; a folder
that exists always wins over a preset of the same name.

Where they are:

- installed from a wheel (`pip install .`, or from a package index), in
  the package itself: `multistyle/_presets/NAME/` and
  `multistyle/_samples/photo.png`, copied there from the repository's
  `saved_models/NAME/` and `samples/photo.png` by setup.py's build step,
  and found with `importlib.resources`;
- in a source checkout (`pip install -e .`, or the checkout on
  `PYTHONPATH`), the checkout's own `saved_models/` and `samples/`, so
  there is one copy of each model in the repository.

Example:

>>> names()
['multistyle16', 'multistyle16_lite']
>>> resolve_model_dir("multistyle16")  # A model folder is returned as is.
'.../site-packages/multistyle/_presets/multistyle16'
>>> sample_photo()
'.../site-packages/multistyle/_samples/photo.png'
"""

import difflib
import importlib.resources
import os
import pathlib

from multistyle import errors
from multistyle.model_folder import folder_io

DEFAULT_PRESET = "multistyle16"
# In an installed package (what setup.py's build step writes) ...
PACKAGE_PRESETS_DIR = "_presets"
PACKAGE_SAMPLES_DIR = "_samples"
# ... and in a source checkout, beside the package.
CHECKOUT_PRESETS_DIR = "saved_models"
CHECKOUT_SAMPLES_DIR = "samples"
SAMPLE_PHOTO_NAME = "photo.png"


def _package_dir():
    """The `multistyle` package's folder, through `importlib.resources`."""
    root = importlib.resources.files("multistyle")
    # A package imported from a zip file has no folders to hand to
    # TensorFlow or LiteRT; pip always installs packages as files.
    return root if isinstance(root, pathlib.Path) else None


def _search_dirs(package_subdir, checkout_subdir):
    """Where shipped files may be: in the package, then the checkout."""
    package = _package_dir()
    if package is None:
        return []
    return [package / package_subdir, package.parent / checkout_subdir]


def presets_dir():
    """The folder holding the preset model folders, or None if there is
    none (a package built without them)."""
    for folder in _search_dirs(PACKAGE_PRESETS_DIR, CHECKOUT_PRESETS_DIR):
        if folder.is_dir():
            return str(folder)
    return None


def names():
    """The names of the shipped presets, sorted (in a source checkout:
    every model folder in its saved_models/)."""
    folder = presets_dir()
    if folder is None:
        return []
    return sorted(
        name for name in os.listdir(folder)
        if os.path.isfile(os.path.join(folder, name,
                                       folder_io.STYLES_FILENAME)))


def _not_a_preset(argument, value, known, folder_too):
    """The error for a name that is not a preset (`argument` as data)."""
    close = difflib.get_close_matches(value, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    listed = ", ".join(known) if known else "none installed"
    what = "a model folder or the name" if folder_too else "the name"
    text = (f"must be {what} of a shipped preset ({listed}). Received: "
            f"={value!r}" + (f"; there is no such preset, and the folder "
                             f"{value} does not exist" if folder_too else "")
            + f".{hint}")
    head, _, tail = text.replace("{", "{{").replace("}", "}}").partition(
        "Received: ")
    return errors.MissingArgumentFileError(
        f"{{{argument}}} {head}Received: {{{argument}:value}}{tail}",
        (argument,))


def preset_dir(name, argument="preset"):
    """The model folder of the shipped preset `name`.

    Raises:
        FileNotFoundError: If there is no preset of that name (the message
            lists the presets and suggests the closest).
    """
    known = names()
    if name not in known:
        raise _not_a_preset(argument, name, known, folder_too=False)
    return os.path.join(presets_dir(), name)


def resolve_model_dir(model, argument="model"):
    """A model folder from a folder path or a preset name.

    Args:
        model: A model folder (written by `multistyle-train` or
            `multistyle-export`) or a preset name such as
            `"multistyle16"`. An existing folder wins over a preset; a
            path (with a `/`) is returned as it is, for the code that
            reads the folder to check.
        argument: The argument's name, for the error message.

    Returns:
        The folder's path.

    Raises:
        FileNotFoundError: If `model` is a bare name that is neither an
            existing folder nor a preset (the message lists the presets
            and suggests the closest).
    """
    model = os.fspath(model)
    if os.path.isdir(model):
        return model
    if os.sep in model or (os.altsep and os.altsep in model):
        return model
    known = names()
    if model not in known:
        raise _not_a_preset(argument, model, known, folder_too=True)
    return os.path.join(presets_dir(), model)


def sample_photo():
    """The path of the sample photo (`samples/photo.png`, 640x448 PNG).

    Raises:
        FileNotFoundError: If it is not installed.
    """
    dirs = _search_dirs(PACKAGE_SAMPLES_DIR, CHECKOUT_SAMPLES_DIR)
    for folder in dirs:
        path = folder / SAMPLE_PHOTO_NAME
        if path.is_file():
            return str(path)
    raise FileNotFoundError(
        f"The sample photo {SAMPLE_PHOTO_NAME} is not installed (looked in "
        f"{', '.join(str(d) for d in dirs) or 'nothing'}).")
