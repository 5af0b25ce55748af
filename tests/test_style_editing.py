import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from multistyle import style_editing
from multistyle import style_set
from multistyle.network import transformer_net
from tests.conftest import REPO_ROOT
from tests.conftest import TEST_STYLE_NAMES

_IMAGE = np.random.default_rng(0).random((1, 20, 24, 3), dtype=np.float32)


def _paint(net, index):
    """`net`'s style `index` (one-hot weights) applied to a fixed photo."""
    weights = np.eye(transformer_net.num_styles_of(net),
                     dtype=np.float32)[[index]]
    return np.asarray(net([_IMAGE, weights]))


def _styles():
    return [style_set.Style(name) for name in TEST_STYLE_NAMES]


@pytest.fixture
def base(model_dir):
    net, _, _ = style_editing.load_model_folder(model_dir)
    return net


def test_removing_a_style_keeps_the_others_bit_identical(base):
    net, kept = style_editing.remove_styles(base, _styles(), ["great_wave"])
    assert [s.name for s in kept] == ["starry_night", "composition_vii"]
    np.testing.assert_array_equal(_paint(net, 0), _paint(base, 0))
    np.testing.assert_array_equal(_paint(net, 1), _paint(base, 2))


def test_removed_style_re_added_paints_as_before(base):
    removed, _ = style_editing.remove_styles(base, _styles(), ["great_wave"])
    rows = [(gamma[1:2], beta[1:2])
            for gamma, beta in style_editing.style_tables(base)]
    readded = style_editing.append_styles(removed, rows)
    for new_index, base_index in enumerate([0, 2, 1]):
        np.testing.assert_array_equal(_paint(readded, new_index),
                                      _paint(base, base_index))


def test_appending_rows_copies_convolutions_bit_for_bit(base):
    extended = style_editing.append_styles(
        base, style_editing.mean_style_rows(base, 2))
    assert transformer_net.num_styles_of(extended) == 5
    for layer in base.layers:
        if isinstance(layer, keras.layers.Conv2D):
            np.testing.assert_array_equal(
                extended.get_layer(layer.name).get_weights()[0],
                layer.get_weights()[0])


def test_mean_rows_are_the_mean_of_every_table(base):
    rows = style_editing.mean_style_rows(base, 2)
    for (gamma, beta), (mean_gamma, mean_beta) in zip(
            style_editing.style_tables(base), rows):
        np.testing.assert_allclose(mean_gamma, [gamma.mean(0)] * 2)
        np.testing.assert_allclose(mean_beta, [beta.mean(0)] * 2)


def test_alpha_is_inferred_from_the_filters_despite_a_wrong_hint(base):
    assert style_editing.infer_alpha(base, hint=0.5) == 0.125


@pytest.mark.parametrize("names,message", [
    (["the_scream"], "unknown style"),
    (list(TEST_STYLE_NAMES), "every style"),
])
def test_bad_removal_is_refused(base, names, message):
    with pytest.raises(ValueError, match=message):
        style_editing.remove_styles(base, _styles(), names)


def test_names_can_be_swapped():
    renamed = style_editing.rename_styles(
        _styles(), {"starry_night": "great_wave", "great_wave": "starry_night"})
    assert [s.name for s in renamed] == ["great_wave", "starry_night",
                                         "composition_vii"]


@pytest.mark.parametrize("renames,message", [
    ({"the_scream": "scream"}, "unknown style"),
    ({"starry_night": "great_wave"}, "already has a style named great_wave"),
    ({"starry_night": "Great_Wave"}, "already has a style"),
    ({"starry_night": "12"}, "only digits"),
    ({"starry_night": "gogh=1"}, "gogh=1"),
])
def test_bad_rename_is_refused(renames, message):
    with pytest.raises(ValueError, match=message):
        style_editing.rename_styles(_styles(), renames)


@pytest.mark.parametrize("entries", [["gogh"], ["a:b", "a:c"], [":b"]])
def test_malformed_rename_pairs_are_refused(entries):
    with pytest.raises(ValueError, match="old:new|twice"):
        style_editing.parse_renames(entries)


def test_edit_writes_a_new_folder_and_records_the_edit(model_dir, base,
                                                       tmp_path):
    output = str(tmp_path / "edited")
    style_editing.edit_model_folder(
        model_dir, output, remove=["great_wave"],
        renames={"starry_night": "gogh"})
    net, styles, config = style_editing.load_model_folder(output)
    assert [s.name for s in styles] == ["gogh", "composition_vii"]
    assert config["alpha"] == 0.125
    assert config["edits"][-1]["removed"] == ["great_wave"]
    np.testing.assert_array_equal(_paint(net, 1), _paint(base, 2))
    _, original, _ = style_editing.load_model_folder(model_dir)
    assert [s.name for s in original] == list(TEST_STYLE_NAMES)


def test_edit_refuses_an_existing_output_folder(model_dir, tmp_path):
    with pytest.raises(ValueError, match="already exists"):
        style_editing.edit_model_folder(model_dir, str(tmp_path),
                                        remove=["great_wave"])


def test_model_without_style_tables_is_refused(tmp_path):
    inputs = keras.Input((4,))
    keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(
        str(tmp_path / "model.keras"))
    style_set.save(str(tmp_path / "styles.json"), _styles())
    with pytest.raises(ValueError, match="no ConditionalInstanceNorm"):
        style_editing.load_model_folder(str(tmp_path))


def test_missing_model_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        style_editing.load_model_folder(str(tmp_path / "nowhere"))


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
