"""`multistyle`'s public names and the README's "Use it from Python"."""

import os
import re
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

import multistyle
from tests.conftest import REPO_ROOT


def _python_blocks(section):
    """The ```python blocks of a README section, in order."""
    with open(os.path.join(REPO_ROOT, "README.md"), encoding="utf-8") as f:
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


def test_readme_snippet_runs(tmp_path):
    snippet = _python_blocks("Use it from Python")[0]
    for folder in ("saved_models", "samples"):
        os.symlink(os.path.join(REPO_ROOT, folder), tmp_path / folder)
    result = subprocess.run(
        [sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": REPO_ROOT})
    assert result.returncode == 0, result.stderr[-3000:]
    written = sorted(p for p in os.listdir(tmp_path) if p.endswith(".jpg"))
    assert written, result.stdout
    for name in written:
        with Image.open(tmp_path / name) as image:
            assert image.size == Image.open(
                tmp_path / "samples" / "photo.png").size
            assert np.asarray(image).std() > 0


def test_readme_training_snippet_names_public_functions():
    snippet = _python_blocks("Use it from Python")[1]
    compile(snippet, "README.md", "exec")
    used = set(re.findall(r"multistyle\.(\w+)", snippet))
    assert used and used <= set(multistyle.__all__), used
