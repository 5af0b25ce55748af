"""What every tool gets from `app_runner.run`: quiet logs unless -v, user
errors as `Error: ...` with exit code 2, JAX's compilation cache."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

# A tool whose main logs as another package and as multistyle would.
_TOOL = """
import logging, os, sys
import multistyle
from multistyle import errors
from absl import flags
from multistyle.cli import app_runner

FAIL = flags.DEFINE_bool("fail", False, "Raise an ArgumentError.")

def main():
    other = logging.LogRecord("jax", logging.WARNING, "/site-packages/jax/x.py",
                              1, "a library warning", None, None)
    ours = logging.LogRecord(
        "absl", logging.WARNING,
        os.path.join(os.path.dirname(multistyle.__file__), "x.py"), 1,
        "our own line", None, None)
    for record in (other, ours):
        logging.getLogger().handle(record)
    if FAIL.value:
        raise errors.ArgumentError("{strength} must be at most 1. Received: "
                                   "{strength:value}=2", ("strength",))

sys.argv = ["multistyle-probe", *sys.argv[1:]]
app_runner.run(main)
"""


def _run(*args):
    env = {**os.environ}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return subprocess.run([sys.executable, "-c", _TOOL, *args],
                          cwd=REPO_ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def test_other_packages_log_records_show_only_with_v():
    quiet, verbose = _run(), _run("-v")

    assert quiet.returncode == verbose.returncode == 0, quiet.stderr
    assert "our own line" in quiet.stderr
    assert "a library warning" not in quiet.stderr
    assert "a library warning" in verbose.stderr


def test_argument_errors_name_the_flags_and_exit_2():
    result = _run("--fail")

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: --strength must be at most 1. Received: --strength=2")


def test_positional_arguments_exit_2_before_main_runs():
    result = _run("extra")

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Unexpected arguments: ['extra']")
    assert "our own line" not in result.stderr


def test_jax_programs_are_cached_on_disk(tmp_path):
    pytest.importorskip("jax")
    tool = ("import sys, numpy as np\n"
            "from multistyle.cli import app_runner\n"
            "def main():\n"
            "    import jax\n"
            "    jax.config.update("
            "'jax_persistent_cache_min_compile_time_secs', 0)\n"
            "    jax.jit(lambda x: x * 2.0 + 1.0)(np.arange(3.0))\n"
            "sys.argv = ['multistyle-probe']\n"
            "app_runner.run(main)\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    subprocess.run([sys.executable, "-c", tool], cwd=REPO_ROOT, env=env,
                   check=True, timeout=120)
    assert os.listdir(tmp_path / "multistyle" / "jax")
