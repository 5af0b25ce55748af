import os
import subprocess
import sys

import numpy as np
import pytest

from multistyle.model_folder import folder_io
from multistyle.model_folder import style_editing
from multistyle.model_folder import style_set
from tests.conftest import REPO_ROOT
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import paint_style


def _styles():
    return [style_set.Style(name) for name in TEST_STYLE_NAMES]


@pytest.fixture
def base(model_dir):
    net, _, _ = folder_io.read(model_dir)
    return net


def test_removing_a_style_keeps_the_others_bit_identical(base):
    net, kept = style_editing.remove_styles(base, _styles(), ["great_wave"])
    assert [s.name for s in kept] == ["starry_night", "composition_vii"]
    np.testing.assert_array_equal(paint_style(net, 0), paint_style(base, 0))
    np.testing.assert_array_equal(paint_style(net, 1), paint_style(base, 2))


@pytest.mark.parametrize("names,message", [
    (["the_scream"], "unknown style"),
    (list(TEST_STYLE_NAMES), "every style"),
])
def test_bad_removal_is_refused(base, names, message):
    with pytest.raises(ValueError, match=message):
        style_editing.remove_styles(base, _styles(), names)


def test_edit_writes_a_new_folder_and_records_the_edit(model_dir, base,
                                                       tmp_path):
    output = str(tmp_path / "edited")
    style_editing.edit_model_folder(
        model_dir, output, remove=["great_wave"],
        renames={"starry_night": "gogh"})
    net, styles, config = folder_io.read(output)
    assert [s.name for s in styles] == ["gogh", "composition_vii"]
    assert config["alpha"] == 0.125
    assert config["edits"][-1]["removed"] == ["great_wave"]
    np.testing.assert_array_equal(paint_style(net, 1), paint_style(base, 2))
    _, original, _ = folder_io.read(model_dir)
    assert [s.name for s in original] == list(TEST_STYLE_NAMES)


def test_edit_refuses_an_existing_output_folder(model_dir, tmp_path):
    with pytest.raises(FileExistsError, match="already exists"):
        style_editing.edit_model_folder(model_dir, str(tmp_path),
                                        remove=["great_wave"])


def test_edit_of_a_missing_folder_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        style_editing.edit_model_folder(str(tmp_path / "nowhere"),
                                        str(tmp_path / "out"))


def test_cli_unknown_style_exits_2_and_writes_nothing(model_dir, tmp_path):
    output = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.styles",
         f"--model={model_dir}", "--remove=the_scream", f"--output={output}"],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Error: Cannot remove unknown style(s) ['the_scream']" in (
        result.stderr)
    assert not output.exists() and os.listdir(tmp_path) == []


def test_cli_existing_output_exits_2_naming_the_flag(model_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.styles",
         f"--model={model_dir}", "--rename=starry_night:gogh",
         f"--output={tmp_path}"],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"Error: {tmp_path} already exists" in result.stderr
