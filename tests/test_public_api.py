"""`multistyle`'s public names, the README's "Use it from Python" and the
snippets of docs/python.md."""

import os
import re
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

import multistyle
from multistyle.model_folder import presets
from tests.conftest import REPO_ROOT


def _python_blocks(section, path="README.md"):
    """The ```python blocks of a Markdown section, in order."""
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as f:
        readme = f.read()
    start = readme.index(f"\n## {section}\n")
    end = readme.find("\n## ", start + 1)
    text = readme[start:end if end > 0 else None]
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.parametrize("name", multistyle.__all__)
def test_every_public_name_resolves(name):
    assert getattr(multistyle, name) is not None


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'Stylise'"):
        multistyle.Stylise  # noqa: B018


@pytest.mark.parametrize("path, section", [
    ("README.md", "Use it from Python"), ("docs/python.md", "Paint")])
def test_painting_snippet_runs(path, section, tmp_path):
    """From an empty folder: the model and photo come from the package."""
    snippet = _python_blocks(section, path)[0]
    result = subprocess.run(
        [sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": REPO_ROOT})
    assert result.returncode == 0, result.stderr[-3000:]
    written = sorted(p for p in os.listdir(tmp_path) if p.endswith(".jpg"))
    assert written, result.stdout
    for name in written:
        with Image.open(tmp_path / name) as image:
            assert image.size == Image.open(
                presets.sample_photo()).size
            assert np.asarray(image).std() > 0


def test_python_guide_snippets_name_public_functions():
    for section in ("Paint", "Video", "Train, add styles, export"):
        for snippet in _python_blocks(section, "docs/python.md"):
            compile(snippet, "docs/python.md", "exec")
            used = set(re.findall(r"multistyle\.(\w+)", snippet))
            assert used and used <= set(multistyle.__all__), used
