import json
import logging
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io
from multistyle.network import transformer_net
from multistyle.training import checkpoint
from multistyle.training import config as config_lib
from multistyle.training import train as train_lib
from multistyle.training import trainer as trainer_lib
from tests.conftest import REPO_ROOT

# Blocks TensorFlow imports, as on the GPU machine that has only JAX.
_NO_TENSORFLOW = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "tensorflow_datasets"):
            raise ImportError("TensorFlow is blocked in this test")
sys.meta_path.insert(0, _Block())
"""


def _tiny_config(photo_dir, style_files, model_dir, vgg_weights, **kw):
    values = dict(content=photo_dir, styles=style_files, model_dir=model_dir,
                  image_size=32, style_image_size=32, batch_size=2,
                  num_steps=2, steps_per_checkpoint=1, alpha=0.125,
                  vgg_weights=vgg_weights, summary_every=1, workers=1)
    values.update(kw)
    return config_lib.TrainConfig(**values)


def test_few_steps_lower_the_total_loss(real_vgg_weights, shared_data):
    vgg = vgg_features.VGGFeatures(real_vgg_weights)
    paintings = [os.path.join(shared_data, "styles", name)
                 for name in ("starry_night.jpg", "great_wave.jpg")]
    layers = list(vgg_features.DEFAULT_STYLE_LAYERS)
    grams = style_targets.compute_style_grams(
        vgg.extractor(layers),
        [style_targets.load_style_image(p, 64) for p in paintings])
    model = trainer_lib.MultiStyleTrainer(
        transformer_net.build_transformer_net(2, alpha=0.25), vgg, grams,
        content_layers=vgg_features.DEFAULT_CONTENT_LAYERS,
        content_weight=1.0, style_layer_weights=dict.fromkeys(layers, 1.0),
        style_coefficients=np.ones(2, np.float32), tv_weight=0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    rng = np.random.default_rng(0)
    batch = (rng.random((2, 32, 32, 3), np.float32),
             np.eye(2, dtype=np.float32))
    losses = [float(model.train_on_batch(batch, return_dict=True)["loss"])
              for _ in range(8)]
    assert losses[-1] < 0.8 * losses[0], losses


def test_train_writes_model_styles_and_logs(photo_dir, style_files,
                                            real_vgg_weights, tmp_path,
                                            capsys, caplog):
    model_dir = str(tmp_path / "run")
    caplog.set_level(logging.INFO)
    net = train_lib.train(_tiny_config(photo_dir, style_files, model_dir,
                                      real_vgg_weights))
    # Not a terminal: log lines, no progress-bar redraws.
    assert "━" not in capsys.readouterr().out
    assert "step 2/2" in caplog.text
    loaded = keras.saving.load_model(os.path.join(model_dir, "model.keras"))
    assert transformer_net.num_styles_of(loaded) == 2
    inputs = [np.zeros((1, 9, 13, 3), np.float32),
              np.eye(2, dtype=np.float32)[:1]]
    np.testing.assert_allclose(np.asarray(loaded(inputs)),
                               np.asarray(net(inputs)), atol=1e-6)
    styles, config = folder_io.read_styles(model_dir)
    assert [s.name for s in styles] == ["red_style", "blue_style"]
    assert config["num_steps"] == 2
    logs = os.listdir(os.path.join(model_dir, "logs"))
    assert len(logs) == 1 and logs[0].startswith("events.out.tfevents")


class _LearningRates(keras.callbacks.Callback):
    """Records the optimizer's learning rate at every step."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append(float(self.model.optimizer.learning_rate))


def test_rerun_resumes_and_continues_the_step_count(
        photo_dir, style_files, real_vgg_weights, tmp_path):
    model_dir = str(tmp_path / "run")
    train_lib.train(_tiny_config(photo_dir, style_files, model_dir,
                                real_vgg_weights, num_steps=2))
    rates = _LearningRates()
    train_lib.train(_tiny_config(photo_dir, style_files, model_dir,
                                real_vgg_weights, num_steps=4,
                                learning_rate=5e-4), callbacks=[rates])
    latest = checkpoint.latest(model_dir)
    assert latest.endswith("ckpt-00000004.npz")
    with np.load(latest) as ckpt:
        assert int(ckpt["optimizer/iteration"]) == 4
    # A resumed run follows the new --learning_rate flag.
    np.testing.assert_allclose(rates.seen, [5e-4, 5e-4])


def test_refuses_to_resume_with_other_styles(photo_dir, style_files,
                                             real_vgg_weights, tmp_path):
    model_dir = str(tmp_path / "run")
    train_lib.train(_tiny_config(photo_dir, style_files, model_dir,
                                real_vgg_weights, num_steps=1))
    with pytest.raises(ValueError, match="different `styles`"):
        train_lib.train(_tiny_config(photo_dir, style_files[:1], model_dir,
                                    real_vgg_weights, num_steps=2))


@pytest.mark.parametrize("change,error,message", [
    ({"content": "/nonexistent/photos"}, FileNotFoundError,
     "No content images"),
    ({"styles": ["/nonexistent/painting.jpg"]}, FileNotFoundError,
     "Style image not found"),
    ({"image_size": 8}, ValueError, "at least 16 px"),
    ({"style_layers": ("block1_conv1", "block6_conv1")}, ValueError,
     "block6_conv1"),
    ({"num_steps": 3, "steps_per_checkpoint": 2}, ValueError, "multiple of"),
    ({"style_coefficients": (1.0, 2.0, 3.0)}, ValueError,
     "style_coefficients"),
])
def test_bad_configuration_is_refused(photo_dir, style_files, tmp_path,
                                      change, error, message):
    config = _tiny_config(photo_dir, style_files, str(tmp_path / "run"),
                          None, **change)
    with pytest.raises(error, match=message):
        train_lib.train(config)


def test_unreadable_style_image_is_refused(photo_dir, style_files, tmp_path):
    open(style_files[0], "wb").write(b"not a png")
    config = _tiny_config(photo_dir, style_files, str(tmp_path / "run"),
                          None)
    with pytest.raises(ValueError, match="red_style.png"):
        train_lib.train(config)


def _train_command(photo_dir, style_files, model_dir, vgg, *extra):
    return [sys.executable, "-m", "multistyle.cli.train",
            f"--content={photo_dir}",
            f"--styles={','.join(style_files)}", f"--model_dir={model_dir}",
            "--image_size=32", "--style_image_size=32", "--batch_size=1",
            "--alpha=0.125", f"--vgg_weights={vgg}", "--workers=1", *extra]


def test_cli_bad_input_exits_2_with_one_line(style_files, tmp_path):
    result = subprocess.run(
        _train_command(str(tmp_path / "empty"), style_files,
                       str(tmp_path / "run"), "imagenet"),
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 2
    assert "Error: No content images" in result.stderr


def test_kill_9_mid_run_leaves_a_loadable_checkpoint(
        photo_dir, style_files, real_vgg_weights, tmp_path):
    model_dir = str(tmp_path / "run")
    process = subprocess.Popen(
        _train_command(photo_dir, style_files, model_dir, real_vgg_weights,
                       "--num_steps=1000", "--steps_per_checkpoint=1"),
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while len(checkpoint.list_checkpoints(model_dir)) < 2:
            assert time.time() < deadline and process.poll() is None
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    net = transformer_net.build_transformer_net(2, alpha=0.125)
    optimizer = keras.optimizers.Adam()
    optimizer.build(net.trainable_variables)
    step = checkpoint.restore(checkpoint.latest(model_dir), net, optimizer)
    assert step >= 2


@pytest.mark.skipif(keras.backend.backend() != "jax",
                    reason="checks the JAX backend without TensorFlow")
def test_jax_training_runs_without_tensorflow(photo_dir, style_files,
                                              real_vgg_weights, tmp_path):
    model_dir = str(tmp_path / "run")
    script = _NO_TENSORFLOW + f"""
import multistyle
config = multistyle.TrainConfig(
    content={photo_dir!r}, styles={style_files!r}, model_dir={model_dir!r},
    image_size=32, style_image_size=32, batch_size=2, num_steps=2,
    steps_per_checkpoint=1, alpha=0.125, vgg_weights={real_vgg_weights!r},
    workers=1)
multistyle.train(config)
assert "tensorflow" not in sys.modules
print("trained without tensorflow")
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT,
                            capture_output=True, text=True,
                            env={**os.environ, "KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "trained without tensorflow" in result.stdout
    assert os.path.exists(os.path.join(model_dir, "model.keras"))
    with open(os.path.join(model_dir, "styles.json")) as f:
        assert len(json.load(f)["styles"]) == 2


def test_learning_rate_warms_up_then_decays_to_its_fraction(tmp_path):
    config = config_lib.TrainConfig(
        content="", styles=[], model_dir="", num_steps=100,
        steps_per_checkpoint=10, learning_rate=1e-2, warmup_steps=10,
        final_learning_rate_fraction=0.1)
    schedule = train_lib.learning_rate_schedule(config)
    rates = [float(schedule(step)) for step in (0, 5, 10, 55, 100)]
    np.testing.assert_allclose(rates, [0.0, 5e-3, 1e-2, 5.5e-3, 1e-3],
                               rtol=1e-5)


def test_constant_learning_rate_without_warmup():
    config = config_lib.TrainConfig(content="", styles=[], model_dir="",
                                    num_steps=10, steps_per_checkpoint=5,
                                    learning_rate=3e-3)
    schedule = train_lib.learning_rate_schedule(config)
    assert [float(schedule(s)) for s in (0, 9)] == pytest.approx([3e-3] * 2)
