"""multistyle-train's flags come from `TrainConfig` (run in subprocesses:
its --batch_size and multistyle-video's cannot share one process)."""

import dataclasses
import json
import os
import subprocess
import sys

from absl import flags
import pytest

from multistyle.cli import config_flags
from multistyle.training import config as config_lib
from tests.conftest import REPO_ROOT

_PRINT_CONFIG = """
import dataclasses, json, sys
from absl import flags
from multistyle.cli import train
flags.FLAGS(["multistyle-train", "--content=photos", "--model_dir=run",
             *sys.argv[1:]])
print(json.dumps(dataclasses.asdict(train.config_from_flags())))
"""


def _cli_config(*args):
    result = subprocess.run([sys.executable, "-c", _PRINT_CONFIG, *args],
                            capture_output=True, text=True, cwd=REPO_ROOT,
                            check=True)
    return json.loads(result.stdout.splitlines()[-1])


def _as_json(config):
    return json.loads(json.dumps(dataclasses.asdict(config)))


def test_every_config_field_is_a_flag_with_its_default():
    assert _cli_config("--styles=a.jpg") == _as_json(config_lib.TrainConfig(
        content="photos", styles=["a.jpg"], model_dir="run"))


def test_adding_styles_takes_the_add_style_defaults_and_paintings():
    config = _cli_config("--styles=base.jpg", "--base_model=m16",
                         "--add_styles=new.jpg")
    assert config["styles"] == ["new.jpg"]
    assert (config["num_steps"], config["learning_rate"], config["alpha"]) \
        == (2000, 1e-2, None)


def test_library_errors_name_the_flags_and_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.train", "--content=photos",
         f"--model_dir={tmp_path}", "--styles=a.jpg", "--num_steps=3",
         "--steps_per_checkpoint=2"],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 2
    assert ("Error: --num_steps must be a multiple of --steps_per_checkpoint. "
            "Received: --num_steps=3, --steps_per_checkpoint=2") in (
        result.stderr)


def test_an_unknown_model_name_in_init_from_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.train", "--content=photos",
         f"--model_dir={tmp_path}", "--styles=a.jpg",
         "--init_from=multistyle61"],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 2
    assert ("Error: --init_from must be a model folder or the name of a "
            "shipped preset") in result.stderr
    assert "Did you mean 'multistyle16'?" in result.stderr


@pytest.fixture
def flag_values():
    """Every `TrainConfig` field defined as a flag in a fresh FlagValues."""
    values = flags.FlagValues()
    for field in dataclasses.fields(config_lib.TrainConfig):
        config_flags.define(config_lib.TrainConfig, field.name, "tool",
                            flag_values=values)
    return values


def _parsed(flag_values, *args):
    flag_values(["tool", *args])
    return {name: config_flags.value(config_lib.TrainConfig, name,
                                     flag_values[name].value)
            for name in flag_values}


def test_flags_take_the_field_defaults_and_help(flag_values):
    assert flag_values["workers"].default == 2
    assert flag_values["num_steps"].default is None
    assert flag_values["final_learning_rate_fraction"].help.startswith(
        "Cosine-decay the learning rate to this fraction of --learning_rate "
        "at --num_steps")


def test_list_flags_become_the_field_types(flag_values):
    values = _parsed(flag_values, "--styles=a.jpg,b.jpg",
                     "--style_layer_weights=1,0.5",
                     "--content_layers=block3_conv1")
    assert values["styles"] == ["a.jpg", "b.jpg"]
    assert values["style_layer_weights"] == (1.0, 0.5)
    assert values["content_layers"] == ("block3_conv1",)


def test_non_numbers_in_a_number_list_are_refused(flag_values):
    with pytest.raises(ValueError, match="`style_coefficients` takes float"):
        _parsed(flag_values, "--style_coefficients=1,x")


def test_flags_are_key_flags_of_the_defining_module(flag_values):
    names = {f.name for f in flag_values.get_key_flags_for_module("tool")}
    assert names == {f.name for f in dataclasses.fields(
        config_lib.TrainConfig)}


@pytest.mark.parametrize("name", sorted(
    os.listdir(os.path.join(REPO_ROOT, "configs"))))
def test_every_config_is_a_valid_flagfile(name, flag_values, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)  # Flagfiles name each other from here.
    values = _parsed(flag_values, f"--flagfile=configs/{name}",
                     "--content=photos", "--model_dir=run")
    config = config_lib.TrainConfig(**values)
    config.validate()
    assert config.styles  # Every config trains on paintings.
