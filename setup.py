"""Packaging for multistyle: one network, many painting styles.

The metadata (dependencies, extras, console scripts) is in pyproject.toml.
This file adds the build step that makes the shipped models and the
sample photo travel with the package: the wheel gets

    saved_models/NAME/  ->  multistyle/_presets/NAME/   (each of _PRESETS)
    samples/photo.png   ->  multistyle/_samples/photo.png

where `multistyle.model_folder.presets` finds them with `importlib.resources`
(`Stylizer.from_preset("multistyle16")`, `--model=multistyle16`). The
repository keeps one copy of each model, in the top-level saved_models/,
which a source checkout (`pip install -e .`) reads directly. A copy at
build time rather than a `package_dir` mapping of saved_models/ as a
package: such a package would need an `__init__.py` in saved_models/ and
samples/, would ship samples/'s scripts as modules, and an editable
install would not map it. MANIFEST.in puts the same files in the sdist,
from which `python -m build` builds the wheel.
"""

import os

import setuptools
from setuptools.command.build_py import build_py

_HERE = os.path.dirname(os.path.abspath(__file__))
# Model folders shipped as presets (MANIFEST.in grafts the same ones).
_PRESETS = ("multistyle16", "multistyle16_lite")
# The model cards' pictures and evaluation reports document the models;
# they stay in the repository (about 4 MB of the 18).
_LEFT_OUT_FOLDERS = ("evaluation",)
_LEFT_OUT_SUFFIXES = (".jpg",)
_SAMPLE_PHOTO = os.path.join("samples", "photo.png")


def _preset_files(name):
    """(source, path inside the package) of each shipped file of a preset."""
    source = os.path.join(_HERE, "saved_models", name)
    if not os.path.isfile(os.path.join(source, "styles.json")):
        raise FileNotFoundError(
            f"The preset {name} is missing: no model folder {source}.")
    for root, folders, files in os.walk(source):
        folders[:] = sorted(f for f in folders if f not in _LEFT_OUT_FOLDERS)
        for file in sorted(files):
            if not file.endswith(_LEFT_OUT_SUFFIXES):
                path = os.path.join(root, file)
                yield path, os.path.join(
                    "_presets", name, os.path.relpath(path, source))


class BuildPyWithPresets(build_py):
    """`build_py` that also copies the presets and the sample photo into
    the built package (not for editable installs: those read the
    checkout's own folders)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        files = [pair for name in _PRESETS for pair in _preset_files(name)]
        files.append((os.path.join(_HERE, _SAMPLE_PHOTO),
                      os.path.join("_samples", os.path.basename(
                          _SAMPLE_PHOTO))))
        for source, relative in files:
            target = os.path.join(self.build_lib, "multistyle", relative)
            self.mkpath(os.path.dirname(target))
            self.copy_file(source, target)


setuptools.setup(cmdclass={"build_py": BuildPyWithPresets})
