import json
import os

import keras
import numpy as np
import pytest

from multistyle import errors
from multistyle.model_folder import style_set
from multistyle.training import checkpoint
from multistyle.training import config as config_lib
from multistyle.training import fit
from multistyle.training import perceptual
from tests.training.test_perceptual import _tiny_config


class _LearningRates(keras.callbacks.Callback):
    """Records the optimizer's learning rate at every step."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append(float(self.model.optimizer.learning_rate))


def _record(model_dir):
    with open(os.path.join(model_dir, fit.CONFIG_FILENAME)) as f:
        return json.load(f)


def test_rerun_resumes_and_continues_the_step_count(
        photo_dir, style_files, real_vgg_weights, tmp_path):
    model_dir = str(tmp_path / "run")
    perceptual.train(_tiny_config(photo_dir, style_files, model_dir,
                                  real_vgg_weights, num_steps=2))
    record = _record(model_dir)
    assert record["styles"] == [os.path.abspath(p) for p in style_files]
    assert (record["num_steps"], record["image_size"], record["alpha"]) == (
        2, 32, 0.125)
    # Records before the config groups had every key of every mode.
    with open(os.path.join(model_dir, fit.CONFIG_FILENAME), "w") as f:
        json.dump({**record, "base_model": "", "teacher": "",
                   "edge_weight": 1.0}, f)
    rates = _LearningRates()
    perceptual.train(_tiny_config(photo_dir, style_files, model_dir,
                                  real_vgg_weights, num_steps=4,
                                  learning_rate=5e-4), callbacks=[rates])
    latest = checkpoint.latest(model_dir)
    assert latest.endswith("ckpt-00000004.npz")
    with np.load(latest) as ckpt:
        assert int(ckpt["optimizer/iteration"]) == 4
    # A resumed run follows the new --learning_rate flag.
    np.testing.assert_allclose(rates.seen, [5e-4, 5e-4])
    assert "base_model" not in _record(model_dir)


def test_refuses_to_resume_with_other_styles(photo_dir, style_files,
                                             tmp_path):
    model_dir = tmp_path / "run"
    model_dir.mkdir()
    (model_dir / fit.CONFIG_FILENAME).write_text(json.dumps(
        {"styles": [os.path.abspath(style_files[0])], "alpha": 0.125}))
    with pytest.raises(errors.ArgumentError,
                       match="different `styles`") as caught:
        perceptual.train(_tiny_config(photo_dir, style_files,
                                      str(model_dir), None))
    assert caught.value.arguments == ("model_dir", "styles")


def test_learning_rate_warms_up_then_decays_to_its_fraction():
    schedule = fit.learning_rate_schedule(config_lib.Schedule(
        num_steps=100, steps_per_checkpoint=10, learning_rate=1e-2,
        warmup_steps=10, final_learning_rate_fraction=0.1))
    rates = [float(schedule(step)) for step in (0, 5, 10, 55, 100)]
    np.testing.assert_allclose(rates, [0.0, 5e-3, 1e-2, 5.5e-3, 1e-3],
                               rtol=1e-5)


def test_constant_learning_rate_without_warmup():
    schedule = fit.learning_rate_schedule(config_lib.Schedule(
        num_steps=10, steps_per_checkpoint=5, learning_rate=3e-3))
    assert [float(schedule(s)) for s in (0, 9)] == pytest.approx([3e-3] * 2)


def test_a_new_network_takes_the_width_and_norms_of_the_config():
    styles = [style_set.Style("a"), style_set.Style("b")]
    net = fit.new_network(
        config_lib.Network(alpha=0.125, normalization="fixed_decoder"),
        styles)
    assert net.num_styles == 2 and net.alpha == 0.125
    assert net.normalization == "fixed_decoder"
