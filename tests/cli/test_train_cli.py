"""multistyle-train's flags come from the training configs' fields (run in
subprocesses: its --batch_size and multistyle-video's cannot share one
process)."""

import dataclasses
import json
import os
import subprocess
import sys

from absl import flags
import pytest

from multistyle import errors
from multistyle import training
from multistyle.cli import config_flags
from tests.conftest import REPO_ROOT

_PRINT_CONFIG = """
import dataclasses, json, sys
from absl import flags
from multistyle import training
from multistyle.cli import train
flags.FLAGS(["multistyle-train", "--content=photos", "--model_dir=run",
             *sys.argv[2:]])
config = train.config_from_flags(getattr(training, sys.argv[1]))
print(json.dumps(dataclasses.asdict(config)))
"""


def _cli_config(config_class, *args):
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_CONFIG, config_class.__name__, *args],
        capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def _as_json(config):
    return json.loads(json.dumps(dataclasses.asdict(config)))


def test_every_config_field_is_a_flag_with_its_default():
    assert _cli_config(training.TrainConfig, "--styles=a.jpg") == _as_json(
        training.TrainConfig(content="photos", styles=["a.jpg"],
                             model_dir="run"))


def test_adding_styles_takes_the_add_style_defaults():
    config = _cli_config(training.AddStylesConfig, "--styles=base.jpg",
                         "--base_model=m16", "--add_styles=new.jpg")
    assert config == _as_json(training.AddStylesConfig(
        content="photos", model_dir="run"))
    assert (config["schedule"]["num_steps"],
            config["schedule"]["learning_rate"]) == (2000, 1e-2)


def test_fast_adding_flags_fill_the_adding_group():
    config = _cli_config(training.AddStylesConfig, "--base_model=m16",
                         "--add_styles=new.jpg", "--time_budget=60",
                         "--init_rows=mean", "--progress_every=2")
    assert config["adding"] == {"time_budget": 60.0, "init_rows": "mean",
                                "progress_every": 2.0}


def test_flags_fill_the_groups_of_a_distill_config():
    config = _cli_config(training.DistillConfig, "--teacher=m16",
                         "--alpha=0.25", "--edge_weight=0.5",
                         "--num_steps=10", "--steps_per_checkpoint=5")
    assert (config["network"]["alpha"], config["edge_weight"],
            config["schedule"]["num_steps"]) == (0.25, 0.5, 10)


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


def test_base_model_refuses_a_warm_start_and_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.train", "--content=photos",
         f"--model_dir={tmp_path}", "--base_model=multistyle16",
         "--add_styles=a.jpg", "--init_from=multistyle16"],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 2
    assert "not with --init_from" in result.stderr


@pytest.fixture
def flag_values():
    """Every `TrainConfig` field defined as a flag in a fresh FlagValues."""
    values = flags.FlagValues()
    for name in config_flags.fields(training.TrainConfig):
        config_flags.define(training.TrainConfig, name, "tool",
                            flag_values=values)
    return values


def _parsed(flag_values, config_class, *args):
    flag_values(["tool", *args])
    return config_flags.build(config_class, {
        name: flag_values[name].value for name in flag_values})


def test_flags_take_the_field_defaults_and_help(flag_values):
    assert flag_values["workers"].default == 2
    assert flag_values["num_steps"].default == 40000
    assert flag_values["styles"].default is None
    assert flag_values["final_learning_rate_fraction"].help.startswith(
        "Cosine-decay the learning rate to this fraction of --learning_rate "
        "at --num_steps")


def test_list_flags_become_the_field_types(flag_values):
    config = _parsed(flag_values, training.TrainConfig,
                     "--content=photos", "--model_dir=run",
                     "--styles=a.jpg,b.jpg", "--style_layer_weights=1,0.5",
                     "--style_layers=block1_conv1,block2_conv1",
                     "--content_layers=block3_conv1")
    assert config.styles == ("a.jpg", "b.jpg")
    assert config.loss.style_layer_weights == (1.0, 0.5)
    assert config.loss.content_layers == ("block3_conv1",)


def test_non_numbers_in_a_number_list_are_refused(flag_values):
    with pytest.raises(errors.ArgumentError,
                       match="`style_coefficients` takes float") as caught:
        _parsed(flag_values, training.TrainConfig, "--content=photos",
                "--model_dir=run", "--styles=a.jpg",
                "--style_coefficients=1,x")
    assert caught.value.arguments == ("style_coefficients",)


def test_build_keeps_the_config_class_defaults_of_flags_left_none():
    config = config_flags.build(training.AddStylesConfig, {
        "content": "photos", "model_dir": "run", "num_steps": None,
        "warmup_steps": 10})
    assert (config.schedule.num_steps, config.schedule.warmup_steps) == (
        2000, 10)


def test_flags_are_key_flags_of_the_defining_module(flag_values):
    names = {f.name for f in flag_values.get_key_flags_for_module("tool")}
    assert names == set(config_flags.fields(training.TrainConfig))


_CHECK_FLAGFILES = """
import json, sys
from absl import flags
from multistyle.cli import train
modes = {}
for name in sys.argv[1:]:
    flags.FLAGS.unparse_flags()
    flags.FLAGS(["multistyle-train", f"--flagfile=configs/{name}",
                 "--content=photos", "--model_dir=run"])
    function, args = train.entry_point()
    modes[name] = [function.__name__, type(args[-1]).__name__]
print(json.dumps(modes))
"""


def test_every_config_is_a_valid_flagfile_of_its_entry_point():
    names = sorted(os.listdir(os.path.join(REPO_ROOT, "configs")))
    result = subprocess.run(  # Flagfiles name each other from REPO_ROOT.
        [sys.executable, "-c", _CHECK_FLAGFILES, *names],
        capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    modes = json.loads(result.stdout.splitlines()[-1])
    assert modes.pop("cpu_lite16_distill.cfg") == ["distill",
                                                   "DistillConfig"]
    assert set(map(tuple, modes.values())) == {("train", "TrainConfig")}
    assert len(modes) == len(names) - 1
