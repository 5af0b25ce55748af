"""multistyle-styles: listing a model's styles, as text or JSON."""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.conftest import TEST_STYLE_NAMES


def _styles(*args):
    return subprocess.run(
        [sys.executable, "-m", "multistyle.cli.styles", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_json_lists_every_style_in_order(model_dir):
    result = _styles(f"--model={model_dir}", "--json")

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["command"] == "multistyle-styles"
    assert [s["name"] for s in summary["styles"]] == list(TEST_STYLE_NAMES)
    assert [s["index"] for s in summary["styles"]] == [0, 1, 2]


def test_plain_listing_has_a_header_and_a_row_per_style(model_dir):
    result = _styles(f"--model={model_dir}")

    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["index", "name"]
    assert len(lines) == 1 + len(TEST_STYLE_NAMES)


def test_model_takes_a_shipped_models_name():
    result = _styles("--model=multistyle16_lite", "--json")

    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["styles"]) == 16
