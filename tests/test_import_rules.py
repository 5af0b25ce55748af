"""The package's dependency rules: inference, export, video and serving
never need training or the VGG loss; the network needs nothing but Keras."""

import ast
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

_PACKAGE = os.path.join(REPO_ROOT, "multistyle")
_TRAINING_SIDE = ("multistyle.training", "multistyle.loss",
                  "multistyle.evaluation")
# Module (or folder) -> the multistyle modules it must not import.
_RULES = {
    "inference": _TRAINING_SIDE + ("multistyle.cli", "multistyle.video"),
    "video": _TRAINING_SIDE + ("multistyle.cli",),
    "serving": _TRAINING_SIDE + ("multistyle.cli", "multistyle.video"),
    "export": _TRAINING_SIDE + ("multistyle.cli", "multistyle.inference"),
    "model_folder": _TRAINING_SIDE + (
        "multistyle.cli", "multistyle.inference", "multistyle.video",
        "multistyle.serving", "multistyle.export"),
    "model_folder/style_set.py": ("multistyle.",),
    "network": ("multistyle.",),  # Except other network modules.
    "loss": ("multistyle.training", "multistyle.inference",
             "multistyle.video", "multistyle.evaluation", "multistyle.cli"),
    "training": ("multistyle.inference", "multistyle.video",
                 "multistyle.evaluation", "multistyle.cli"),
    "io": ("multistyle.",),  # Except other io modules.
    "io/atomic_files.py": ("multistyle.",),
}
_ALLOWED = {"network": ("multistyle.network",),
            "io": ("multistyle.io",)}


def _imports(path):
    """Every multistyle module a file imports, at any depth."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "multistyle":
                yield from (f"multistyle.{a.name}" for a in node.names)
            else:
                yield node.module


def _files(target):
    path = os.path.join(_PACKAGE, target)
    if target.endswith(".py"):
        return [path]
    return [os.path.join(path, name) for name in sorted(os.listdir(path))
            if name.endswith(".py")]


@pytest.mark.parametrize("target", sorted(_RULES))
def test_modules_import_only_what_their_layer_may(target):
    broken = []
    for path in _files(target):
        for name in _imports(path):
            if not name.startswith("multistyle"):
                continue
            if name.startswith(_ALLOWED.get(target, ("-",))):
                continue
            if name.startswith(_RULES[target]) or name + "." in _RULES[
                    target]:
                broken.append(f"{os.path.relpath(path, REPO_ROOT)}: {name}")
    assert not broken, broken


def test_only_the_cli_imports_the_cli():
    for root, _, names in os.walk(_PACKAGE):
        if os.path.relpath(root, _PACKAGE).split(os.sep)[0] == "cli":
            continue
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                assert not [n for n in _imports(path)
                            if n.startswith("multistyle.cli")], path


# Fails any import of the training side, then paints with the inference
# package alone (and imports video and export).
_BLOCKED_RUN = """
import importlib.abc
import sys

BLOCKED = ("multistyle.training", "multistyle.loss", "multistyle.evaluation")


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED or name.startswith(tuple(b + "." for b in BLOCKED)):
            raise ImportError(f"{name} is blocked in this test")


sys.meta_path.insert(0, Block())
import numpy as np

import multistyle
import multistyle.inference
from multistyle.inference import stylizer
import multistyle.export.saved_model
import multistyle.video.video_stylizer

model_dir = sys.argv[1]
photo = np.random.default_rng(0).integers(0, 256, (20, 24, 3), np.uint8)
painter = stylizer.Stylizer(model_dir)
out = np.asarray(painter.stylize(photo, painter.weights(style=1)))
assert out.shape == photo.shape and out.std() > 0
assert multistyle.Stylizer is stylizer.Stylizer
loaded = sorted(m for m in sys.modules if m.startswith(BLOCKED))
assert not loaded, loaded
print("painted without training")
"""


def test_inference_paints_with_training_and_loss_blocked(model_dir):
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED_RUN, model_dir], cwd=REPO_ROOT,
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "painted without training" in result.stdout


def test_importing_the_package_imports_no_subpackage():
    result = subprocess.run(
        [sys.executable, "-c",
         "import sys, multistyle; "
         "print(sorted(m for m in sys.modules if m.startswith('multistyle')))"
         ], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['multistyle']"
