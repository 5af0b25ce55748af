"""`--distribution`: data-parallel training on several devices and hosts.

The runs here are `multistyle-train` subprocesses (a few steps at 32 px),
since devices are fixed when a backend starts: JAX gets virtual CPU
devices from `--xla_force_host_platform_device_count`, TensorFlow logical
CPU devices, and the multi-host runs are real processes on 127.0.0.1.
Each compares its trained weights with a one-device run of the same
global batch from the same initial weights (`--init_from`).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile

import keras
import numpy as np
import pytest

from multistyle import errors
from multistyle.io import image_io
from multistyle.model_folder import folder_io
from multistyle.training import config as config_lib
from multistyle.training import data
from multistyle.training import distribution
from tests.conftest import REPO_ROOT
from tests.conftest import save_random_model

# Two Adam steps of 1e-3 from the same weights: float reordering of the
# batch mean moves a weight by far less than a step, except where a
# gradient is ~0 and its sign flips, which moves it by at most 2 steps.
_MEAN_TOLERANCE = 1e-5
_MAX_TOLERANCE = 2e-3
_STEPS = 2

# Starts `multistyle-train` with N logical CPU devices for TensorFlow.
_TF_DEVICES = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * int(sys.argv.pop(1)))
from multistyle.cli import train
train.run()
"""


@pytest.fixture(scope="module")
def run_inputs(tmp_path_factory, real_vgg_weights):
    """Photos, two paintings, initial weights and the shared flags."""
    from tests.conftest import write_image

    root = tmp_path_factory.mktemp("distribution")
    for i in range(6):
        write_image(str(root / "photos" / f"photo{i}.jpg"), 40, 48, seed=i)
    styles = [write_image(str(root / "styles" / f"{name}.png"), 64, 64,
                          seed=10 + i)
              for i, name in enumerate(["red_style", "blue_style"])]
    init = save_random_model(root / "init", ("red_style", "blue_style"))
    return root, [
        f"--content={root / 'photos'}", f"--styles={','.join(styles)}",
        f"--init_from={init}", "--image_size=32", "--style_image_size=32",
        "--batch_size=4", "--alpha=0.125", "--learning_rate=1e-3",
        f"--vgg_weights={real_vgg_weights}", "--workers=1",
        "--steps_per_checkpoint=1"]


def _env(backend, devices=1, extra=None):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("TF_CONFIG", None)
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    env.update(extra or {})
    return env


def _tf_config_json(cluster, task_index=0):
    """A TF_CONFIG naming `cluster` and its worker `task_index`."""
    return json.dumps({"cluster": cluster,
                       "task": {"type": "worker", "index": task_index}})


def _command(backend, devices):
    if backend == "tensorflow":
        return [sys.executable, "-c", _TF_DEVICES, str(devices)]
    return [sys.executable, "-m", "multistyle.cli.train"]


def _start(backend, model_dir, flags, devices=1, env=None):
    """Starts a run whose log goes to a file (a full pipe would stall the
    processes of a multi-host run that wait for each other); `env` adds
    environment variables."""
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        [*_command(backend, devices), f"--model_dir={model_dir}", *flags,
         "-v"],
        cwd=REPO_ROOT, env=_env(backend, devices, env), stdout=log,
        stderr=subprocess.STDOUT)
    process.log = log
    return process


def _finish(process, returncode=0):
    """Waits for the run; returns its log."""
    process.wait(timeout=600)
    with process.log as log:
        log.seek(0)
        text = log.read()
    assert process.returncode == returncode, text[-3000:]
    return text


def _train(backend, model_dir, flags, devices=1):
    return _finish(_start(backend, model_dir, flags, devices))


def _weights(model_dir):
    net = folder_io.read_network(str(model_dir))
    return [np.asarray(w) for w in net.weights]


def _mean_and_max_difference(a, b):
    diffs = np.concatenate([np.abs(x - y).ravel() for x, y in zip(a, b)])
    return diffs.mean(), diffs.max()


def _assert_same_training(got_dir, want_dir):
    """Both runs started from `init/` beside them and trained alike."""
    got, want = _weights(got_dir), _weights(want_dir)
    mean, largest = _mean_and_max_difference(got, want)
    moved, _ = _mean_and_max_difference(
        want, _weights(os.path.join(os.path.dirname(want_dir), "init")))
    print(f"weights: mean |diff| {mean:.2e}, max {largest:.2e} (training "
          f"moved them by {moved:.2e} on average)")
    assert moved > 10 * _MEAN_TOLERANCE  # The runs did train.
    assert mean < _MEAN_TOLERANCE and largest < _MAX_TOLERANCE


@pytest.fixture(scope="module")
def one_device_runs(run_inputs):
    """Per backend, the folder of a one-device, one-process run."""
    root, flags = run_inputs
    runs = {}

    def run(backend):
        if backend not in runs:
            model_dir = root / f"one_device_{backend}"
            # TensorFlow trains without XLA under tf.distribute: so here.
            _train(backend, model_dir,
                   [*flags, f"--num_steps={_STEPS}", "--distribution=none",
                    f"--jit_compile={backend == 'jax'}"])
            runs[backend] = model_dir
        return runs[backend]

    return run


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.large
@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_two_devices_train_as_one_device(backend, run_inputs,
                                         one_device_runs):
    root, flags = run_inputs
    model_dir = root / f"two_devices_{backend}"
    log = _train(backend, model_dir,
                 [*flags, f"--num_steps={_STEPS}",
                  "--distribution=data_parallel"], devices=2)
    assert "2 device(s) in 1 process(es)" in log
    assert "2 per device" in log
    _assert_same_training(model_dir, one_device_runs(backend))


def _jax_cluster(index, ports):
    """Flags of JAX process `index` (process 0 is the coordinator)."""
    return [f"--coordinator_address=127.0.0.1:{ports[0]}",
            f"--num_processes={len(ports)}", f"--process_id={index}"]


@pytest.mark.large
def test_two_processes_train_and_resume_as_one(run_inputs, one_device_runs):
    """Two JAX hosts (processes) of one device each; the run stops after
    one step and both resume from the chief's checkpoint for the second."""
    root, flags = run_inputs
    model_dir = root / "two_processes"
    for steps in range(1, _STEPS + 1):
        ports = [_free_port(), _free_port()]
        processes = []
        for index in range(2):
            processes.append(_start(
                "jax", model_dir,
                [*flags, f"--num_steps={steps}", "--distribution=auto",
                 *_jax_cluster(index, ports)]))
        chief_log, other_log = [_finish(p) for p in processes]
        assert "2 device(s) in 2 process(es)" in chief_log
        assert "2 per process" in chief_log
        assert "Saved checkpoint" in chief_log
        assert "Saved checkpoint" not in other_log
    assert "Resuming from" in other_log
    _assert_same_training(model_dir, one_device_runs("jax"))


@pytest.mark.large
def test_batch_that_does_not_split_over_the_devices_exits_2(run_inputs):
    root, flags = run_inputs
    process = _start("jax", root / "odd_batch",
                     [*flags, "--num_steps=1", "--batch_size=3",
                      "--distribution=data_parallel"], devices=2)
    log = _finish(process, returncode=2)
    assert "Error: --batch_size must be a multiple of the 2 devices" in log


@pytest.mark.large
def test_tf_config_cluster_exits_2_pointing_to_jax(run_inputs):
    root, flags = run_inputs
    process = _start("tensorflow", root / "tf_cluster",
                     [*flags, "--num_steps=1"], env={
                         "TF_CONFIG": _tf_config_json(
                             {"worker": ["127.0.0.1:1", "127.0.0.1:2"]})})
    log = _finish(process, returncode=2)
    assert "Error: TF_CONFIG names a cluster" in log
    assert "KERAS_BACKEND=jax" in log
    assert not (root / "tf_cluster" / "train_config.json").exists()


def _plan(batch_size=16, **devices):
    return distribution.plan(config_lib.Devices(**devices), batch_size)


def test_one_device_auto_trains_without_distribution():
    plan = _plan(distribution="auto")
    assert plan.engine == "none" and plan.num_devices == 1
    assert plan.is_chief and plan.device_batch == 16


def test_no_devices_plan_one_device():
    plan = distribution.plan(None, 4)
    assert (plan.engine, plan.num_devices, plan.batch_size) == ("none", 1, 4)


def test_rejects_cluster_flags_without_distribution():
    with pytest.raises(errors.ArgumentError,
                       match="coordinator_address") as caught:
        _plan(distribution="none", coordinator_address="127.0.0.1:1234")
    assert "coordinator_address" in caught.value.arguments


_TF_ONLY = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                              reason="checks the TensorFlow backend's plan")


@_TF_ONLY
def test_tensorflow_refuses_jax_cluster_flags():
    with pytest.raises(errors.ArgumentError, match="KERAS_BACKEND=jax"):
        _plan(num_processes=2)


@_TF_ONLY
@pytest.mark.parametrize("tf_config", [
    '{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker"}}',
    "{cluster: 1}"])
def test_tensorflow_refuses_a_tf_config_cluster(monkeypatch, tf_config):
    monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ValueError, match="several hosts train on the JAX"):
        _plan()


@_TF_ONLY
def test_tensorflow_ignores_a_tf_config_without_cluster(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", "{}")
    assert _plan().engine == "none"


def test_process_rows_make_up_the_one_process_batch(photo_dir):
    files = image_io.find_images(photo_dir)

    def batch(index, count):
        dataset = data.ImageFolderDataset(
            files, 4, 16, 3, steps_per_epoch=2, seed=3, initial_epoch=1,
            process_index=index, num_processes=count)
        return dataset[1][0]

    whole = batch(0, 1)
    parts = [batch(index, 2) for index in range(2)]
    for got, want in zip(zip(*parts), whole):
        np.testing.assert_array_equal(np.concatenate(got), want)
    assert parts[0][0].shape == (2, 16, 16, 3)


def test_rejects_batch_that_does_not_split_over_processes(photo_dir):
    with pytest.raises(ValueError, match="num_processes"):
        data.ImageFolderDataset(image_io.find_images(photo_dir), 3, 16, 2,
                                steps_per_epoch=1, num_processes=2)
