import dataclasses
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

from multistyle import errors
from multistyle.cli import config_flags
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io
from multistyle.network import transformer_net
from multistyle.training import checkpoint
from multistyle.training import perceptual
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


_TINY = dict(image_size=32, style_image_size=32, batch_size=2, num_steps=2,
             steps_per_checkpoint=1, alpha=0.125, summary_every=1,
             workers=1)


def tiny_config(config_class, vgg_weights=None, **values):
    """A `config_class` of a tiny run: `values` by field name, the groups'
    fields too (as the command line gives them); `vgg_weights` None is
    random VGG-19 weights."""
    config = config_flags.build(config_class, {**_TINY, **values})
    if not hasattr(config, "loss"):
        return config
    return dataclasses.replace(config, loss=dataclasses.replace(
        config.loss, vgg_weights=vgg_weights))


def _tiny_config(photo_dir, style_files, model_dir, vgg_weights, **kw):
    return tiny_config(perceptual.TrainConfig, **{
        "content": photo_dir, "styles": style_files, "model_dir": model_dir,
        "vgg_weights": vgg_weights, **kw})


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
    net = perceptual.train(_tiny_config(photo_dir, style_files, model_dir,
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


@pytest.mark.parametrize("change,error,message", [
    ({"content": "/nonexistent/photos"}, FileNotFoundError,
     "No content images"),
    ({"styles": ["/nonexistent/painting.jpg"]}, FileNotFoundError,
     "Style image not found"),
    ({"style_layers": ("block1_conv1", "block6_conv1")}, ValueError,
     "block6_conv1"),
    ({"style_coefficients": (1.0, 2.0, 3.0)}, errors.ArgumentError,
     "`style_coefficients` has 3 values but 2"),
])
def test_bad_configuration_is_refused(photo_dir, style_files, tmp_path,
                                      change, error, message):
    config = _tiny_config(photo_dir, style_files, str(tmp_path / "run"),
                          None, **change)
    with pytest.raises(error, match=message):
        perceptual.train(config)


def test_a_missing_content_folder_names_the_argument(style_files, tmp_path):
    config = _tiny_config(str(tmp_path / "none"), style_files,
                          str(tmp_path / "run"), None)
    with pytest.raises(errors.MissingArgumentFileError) as caught:
        perceptual.train(config)
    assert caught.value.arguments == ("content",)


@pytest.mark.parametrize("change, arguments, message", [
    ({"styles": []}, ("styles",), "`styles` needs at least one painting"),
    ({"image_size": 8}, ("image_size",), "`image_size` must be at least "
                                         "16 px: VGG-19 halves"),
    ({"num_steps": 3, "steps_per_checkpoint": 2},
     ("num_steps", "steps_per_checkpoint"), "multiple of"),
])
def test_train_config_rejects_bad_values_naming_them(change, arguments,
                                                     message):
    with pytest.raises(errors.ArgumentError, match=message) as caught:
        tiny_config(perceptual.TrainConfig, **{
            "content": "photos", "styles": ["a.jpg"], "model_dir": "run",
            **change})
    assert caught.value.arguments == arguments


def test_train_config_takes_the_from_scratch_defaults():
    config = perceptual.TrainConfig(content="photos", styles=["a.jpg"],
                                    model_dir="run")
    assert (config.schedule.num_steps, config.schedule.learning_rate,
            config.network.alpha) == (40000, 1e-3, 1.0)
    assert config.styles == ("a.jpg",)


def test_unreadable_style_image_is_refused(photo_dir, style_files, tmp_path):
    open(style_files[0], "wb").write(b"not a png")
    config = _tiny_config(photo_dir, style_files, str(tmp_path / "run"),
                          None)
    with pytest.raises(ValueError, match="red_style.png"):
        perceptual.train(config)


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
from multistyle.training import config
multistyle.train(multistyle.TrainConfig(
    content={photo_dir!r}, styles={style_files!r}, model_dir={model_dir!r},
    data=config.Data(image_size=32, batch_size=2, workers=1),
    schedule=config.Schedule(num_steps=2, steps_per_checkpoint=1),
    loss=config.Loss(style_image_size=32, vgg_weights={real_vgg_weights!r}),
    network=config.Network(alpha=0.125)))
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
