import os
import subprocess
import sys

from multistyle.startup import compilation_cache


def test_default_directory_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compilation_cache.default_directory() == str(
        tmp_path / "multistyle" / "jax")


def test_jax_runs_store_compiled_programs(tmp_path):
    cache = tmp_path / "cache"
    script = (
        "import numpy as np, jax\n"
        "from multistyle.startup import compilation_cache\n"
        f"print(compilation_cache.enable({str(cache)!r}, "
        "min_compile_secs=0))\n"
        "jax.jit(lambda x: x * 2.0 + 1.0)(np.arange(3.0))\n")
    env = dict(os.environ, KERAS_BACKEND="jax")
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == str(cache)
    assert os.listdir(cache)


def test_is_a_no_op_off_jax(tmp_path):
    env = dict(os.environ, KERAS_BACKEND="tensorflow",
               TF_CPP_MIN_LOG_LEVEL="3")
    script = ("from multistyle.startup import compilation_cache\n"
              f"print(compilation_cache.enable({str(tmp_path)!r}))\n")
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "None"


def test_waits_for_keras_to_be_imported(tmp_path):
    cache = tmp_path / "cache"
    script = (
        "import sys\n"
        "from multistyle.startup import compilation_cache\n"
        f"compilation_cache.enable_when_keras_is_imported({str(cache)!r}, "
        "min_compile_secs=0)\n"
        "print('keras' in sys.modules)\n"
        "import keras, jax\n"
        "print(jax.config.jax_compilation_cache_dir)\n")
    env = dict(os.environ, KERAS_BACKEND="jax")
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", str(cache)]
