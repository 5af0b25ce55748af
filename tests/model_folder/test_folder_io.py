import json
import os

import keras
import numpy as np
import pytest

from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from tests.conftest import TEST_STYLE_NAMES

_IMAGE = np.random.default_rng(0).random((1, 20, 24, 3), dtype=np.float32)


def _styles(names=TEST_STYLE_NAMES):
    return [style_set.Style(name) for name in names]


def _net(num_styles=3, dtype=None):
    return transformer_net.build_transformer_net(num_styles, alpha=0.125,
                                                 dtype=dtype)


def _paint(net):
    return np.asarray(net([_IMAGE, np.eye(3, dtype=np.float32)[[1]]]))


def test_written_folder_reads_back_the_same_network_and_styles(tmp_path):
    net = _net()
    styles = [style_set.Style("a", "/p/a.jpg", added_by_finetuning=True),
              *_styles()[1:]]
    folder_io.write(str(tmp_path), net, styles, {"alpha": 0.125})
    read_net, read_styles, config = folder_io.read(str(tmp_path))
    assert read_styles == styles and config == {"alpha": 0.125}
    np.testing.assert_array_equal(_paint(read_net), _paint(net))


def test_styles_json_lists_the_styles_in_order(tmp_path):
    folder_io.write_styles(str(tmp_path), _styles(), {"seed": 1})
    with open(tmp_path / folder_io.STYLES_FILENAME) as f:
        payload = json.load(f)
    assert [s["name"] for s in payload["styles"]] == list(TEST_STYLE_NAMES)
    assert payload["config"] == {"seed": 1}
    assert payload["format_version"] == 1


def test_mixed_precision_network_is_written_in_float32(tmp_path):
    net = _net(dtype="mixed_bfloat16")
    folder_io.write(str(tmp_path), net, _styles(), {"alpha": 0.125})
    read_net = folder_io.read_network(str(tmp_path))
    assert read_net.dtype_policy.name == "float32"
    for read, written in zip(read_net.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(read, np.asarray(written, np.float32))


def test_a_keras_file_reads_with_the_styles_beside_it(model_dir):
    net, styles, _ = folder_io.read(
        os.path.join(model_dir, folder_io.MODEL_FILENAME))
    assert [s.name for s in styles] == list(TEST_STYLE_NAMES)
    assert transformer_net.num_styles_of(net) == 3


def test_missing_folder_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        folder_io.read_styles(str(tmp_path / "nowhere"))


def test_folder_without_styles_json_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No styles.json"):
        folder_io.read_styles(str(tmp_path))


def test_folder_without_model_keras_is_file_not_found(tmp_path):
    folder_io.write_styles(str(tmp_path), _styles())
    with pytest.raises(FileNotFoundError, match="model.keras"):
        folder_io.read(str(tmp_path))


def test_unreadable_styles_json_is_a_value_error(tmp_path):
    (tmp_path / folder_io.STYLES_FILENAME).write_text("{not json")
    with pytest.raises(ValueError, match="Cannot read style list"):
        folder_io.read_styles(str(tmp_path))


def test_unreadable_model_keras_is_a_value_error(tmp_path):
    folder_io.write_styles(str(tmp_path), _styles())
    (tmp_path / folder_io.MODEL_FILENAME).write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="Cannot load"):
        folder_io.read(str(tmp_path))


def test_model_without_style_tables_is_refused(tmp_path):
    inputs = keras.Input((4,))
    keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(
        str(tmp_path / folder_io.MODEL_FILENAME))
    folder_io.write_styles(str(tmp_path), _styles())
    with pytest.raises(ValueError, match="no ConditionalInstanceNorm"):
        folder_io.read(str(tmp_path))


def test_style_count_must_match_the_network(tmp_path, model_dir):
    net = folder_io.read_network(model_dir)
    folder_io.write(str(tmp_path), net, _styles(), {})
    folder_io.write_styles(str(tmp_path), _styles()[:2])
    with pytest.raises(ValueError, match="lists 2 styles but the network"):
        folder_io.read(str(tmp_path))


def test_writing_the_wrong_style_count_is_refused(tmp_path):
    with pytest.raises(ValueError, match="paints 3 styles but 2"):
        folder_io.write(str(tmp_path), _net(), _styles()[:2], {})


def test_new_folder_appears_complete(tmp_path):
    output = tmp_path / "new"
    folder_io.write_new(str(output), _net(), _styles(), {"alpha": 0.125})
    assert sorted(os.listdir(output)) == [folder_io.MODEL_FILENAME,
                                          folder_io.STYLES_FILENAME]
    assert os.listdir(tmp_path) == ["new"]


def test_failed_new_folder_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        folder_io.write_new(str(tmp_path / "new"), _net(), _styles()[:1],
                            {})
    assert os.listdir(tmp_path) == []


def test_new_folder_refuses_an_existing_path(tmp_path):
    with pytest.raises(FileExistsError, match="already exists"):
        folder_io.write_new(str(tmp_path), _net(), _styles(), {})


def test_write_folder_replaces_an_existing_one_when_asked(tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    (output / "old.txt").write_text("old")

    def contents(directory):
        folder_io.write_style_names(directory, _styles())

    folder_io.write_folder(str(output), contents, overwrite=True)
    assert os.listdir(output) == ["assets"]
    assert (output / folder_io.STYLE_NAMES_ASSET).read_text() == (
        "starry_night\ngreat_wave\ncomposition_vii\n")


def test_has_model_checks_see_which_models_a_folder_holds(model_dir,
                                                       tmp_path):
    assert folder_io.has_keras_model(model_dir)
    assert not folder_io.has_saved_model(model_dir)
    assert not folder_io.has_keras_model(str(tmp_path))
