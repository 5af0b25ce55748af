"""`--help` and `--version` of every tool: what it does, examples, its flags.

multistyle-stylize and multistyle-video share flags and run in this process;
the other tools define flags of the same names (--model, --output), so each
is imported in a subprocess of its own.
"""

import functools
import json
import os
import subprocess
import sys

from absl import flags
import pytest

import multistyle
from multistyle.cli import stylize as stylize_cli
from multistyle.cli import video as video_cli
from tests.conftest import REPO_ROOT

_SUBPROCESS_TOOLS = ("grid", "export", "styles", "evaluate", "optimize",
                     "train")


@pytest.fixture
def stylize(run_cli):
    return functools.partial(run_cli, stylize_cli.run)


def test_stylize_help_says_what_it_does_and_how_to_blend(stylize):
    code, out, _ = stylize("--help")

    assert code == 0
    assert out.startswith("usage: multistyle-stylize [flags]\n")
    assert "Paints photos in the styles of a trained model" in out
    assert "Examples:" in out
    assert "--weights=starry_night=0.7,great_wave=0.3" in out
    assert "--helpfull" in out


@pytest.mark.parametrize("module", [stylize_cli, video_cli])
def test_help_lists_every_flag_of_the_tool(run_cli, module):
    _, text, _ = run_cli(module.run, "--help")
    own = {f.name for f in flags.FLAGS.get_flags_for_module(module.__name__)}
    key = {f.name for f in flags.FLAGS.get_key_flags_for_module(
        module.__name__)}

    for name in own | key:
        assert f"--{name}:" in text or f"--[no]{name}:" in text, name


def test_help_lines_fit_80_columns(stylize):
    _, text, _ = stylize("--help")
    too_long = [line for line in text.splitlines() if len(line) > 80]
    assert not too_long, too_long


def test_version_prints_the_package_version(stylize):
    code, out, _ = stylize("--version")

    assert code == 0
    assert out == f"multistyle-stylize {multistyle.__version__}\n"


def test_help_needs_no_other_flag(run_cli):
    """Even where flags are required (and --model is missing)."""
    code, out, _ = run_cli(video_cli.run, "--help", "--quality=99")
    assert code == 0 and "Paints every frame of a video" in out


def test_bare_v_is_accepted(stylize, tmp_path, model_dir):
    code, _, err = stylize("-v", f"--model={model_dir}",
                           f"--input={os.path.join(REPO_ROOT, 'samples', 'photo.png')}",
                           f"--output={tmp_path / 'out.jpg'}", "--max_size=32")
    assert code == 0, err


def test_bad_flag_value_is_one_line_and_exit_2(stylize):
    code, _, err = stylize("--strength=lots")

    assert code == 2
    assert err.startswith("Error: flag --strength=lots")
    assert "--help" in err


# The console script's way in: the wrapper is __main__, the tool imported.
_PROBE = """
import importlib, json, sys
sys.argv = ["multistyle-{tool}", "--help"]
module = importlib.import_module("multistyle.cli.{tool}")
from absl import flags
names = flags.FLAGS.get_flags_for_module(module.__name__)
names += flags.FLAGS.get_key_flags_for_module(module.__name__)
try:
    module.run()
except SystemExit as e:
    print(json.dumps({{"code": e.code,
                      "flags": sorted({{f.name for f in names}})}}))
"""


@pytest.mark.large
@pytest.mark.parametrize("tool", _SUBPROCESS_TOOLS)
def test_help_of_each_tool(tool):
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(tool=tool)], cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    text = result.stdout
    usage, blank, summary = text.splitlines()[:3]
    assert probe["code"] == 0
    assert usage == f"usage: multistyle-{tool} [flags]" and not blank
    assert len(summary) > 20 and "Example" in text
    for name in set(probe["flags"]):
        assert f"--{name}:" in text or f"--[no]{name}:" in text, name


@pytest.mark.large
def test_console_help_exits_0_without_importing_tensorflow():
    code = ("import sys; sys.argv = ['multistyle-stylize', '--help']\n"
            "from multistyle.cli import stylize\n"
            "try:\n    stylize.run()\n"
            "except SystemExit as e:\n"
            "    print('exit', e.code, 'tensorflow' in sys.modules,"
            " 'keras' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "exit 0 False False"


def test_helpfull_lists_every_flag_and_exits_0(stylize):
    code, out, _ = stylize("--helpfull")

    assert code == 0
    assert "multistyle.cli.inference_flags:" in out and "absl.logging:" in out
    assert "--stroke_scale" in out and "--verbosity" in out
