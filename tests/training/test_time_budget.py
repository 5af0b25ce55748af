import json
import os
import time
import types

import keras
import numpy as np
from PIL import Image
import pytest

from multistyle.model_folder import folder_io
from multistyle.training import finetune
from multistyle.training import progress_report
from multistyle.training import time_budget
from tests.conftest import write_image
from tests.training.test_perceptual import tiny_config

# JAX builds a tiny run's variables op by op and compiles its first step
# for about 45 s on this CPU, inside the budget; TensorFlow needs ~10 s.
_BUDGET = 75.0 if keras.backend.backend() == "jax" else 30.0


class _FakeModel:
    def __init__(self):
        self.stop_training = False
        self.optimizer = types.SimpleNamespace(learning_rate=None)


def _budget(deadline_in=100.0, **kw):
    budget = time_budget.TimeBudget(time.monotonic() + deadline_in, 1e-2,
                                    **kw)
    budget.set_model(_FakeModel())
    return budget


def test_learning_rate_decays_from_its_peak_to_zero_at_the_plan():
    budget = _budget()
    budget.planned_steps = 100
    assert budget.learning_rate_at(0) == pytest.approx(1e-2)
    assert budget.learning_rate_at(50) == pytest.approx(5e-3)
    assert budget.learning_rate_at(100) == pytest.approx(0.0)


def test_step_losses_are_recovered_from_the_running_mean():
    losses = time_budget.StepLosses()
    for batch, loss in enumerate([4.0, 2.0, 3.0]):
        losses.update(batch, {"loss": np.mean([4.0, 2.0, 3.0][:batch + 1])})
    np.testing.assert_allclose(losses.losses, [4.0, 2.0, 3.0])
    assert losses.recent(2) == pytest.approx(2.5)


def test_stops_when_the_loss_stops_falling():
    budget = _budget(plateau_window=5)
    for batch in range(10):
        budget.on_train_batch_end(batch, {"loss": 1.0})
    assert budget.model.stop_training
    assert budget.stopped_by == "plateau"


def test_keeps_going_while_the_loss_falls():
    budget = _budget(plateau_window=5)
    for batch in range(10):
        budget.on_train_batch_end(batch, {"loss": 10.0 / (batch + 1)})
    assert not budget.model.stop_training


def test_stops_when_the_next_step_would_miss_the_deadline():
    budget = _budget(deadline_in=0.5, reserve=0.0, plateau_window=0)
    for batch in range(100):
        budget.on_train_batch_end(batch, {"loss": 1.0})
        if budget.model.stop_training:
            break
        time.sleep(0.02)
    assert budget.stopped_by == "budget"
    assert budget.seconds_left() > 0.0


class _SeenAtTrainBegin(keras.callbacks.Callback):
    """What the progress files said when the first step began."""

    def __init__(self, model_dir):
        super().__init__()
        self.model_dir = model_dir
        self.progress = None
        self.had_preview = False

    def on_train_begin(self, logs=None):
        with open(os.path.join(self.model_dir, "progress.json")) as f:
            self.progress = json.load(f)
        self.had_preview = os.path.exists(
            os.path.join(self.model_dir, "preview.jpg"))


@pytest.fixture(scope="module")
def budgeted(tmp_path_factory, model_dir, monkeypatch_module):
    """A run adding a painting to `model_dir` within `_BUDGET` seconds,
    with progress files (no plateau stop, so it uses the budget)."""
    monkeypatch_module.setattr(time_budget, "PLATEAU_WINDOW", 0)
    root = tmp_path_factory.mktemp("budget")
    for i in range(3):
        write_image(str(root / "photos" / f"photo{i}.jpg"), 40, 48, seed=i)
    painting = str(root / "new_style.png")
    write_image(painting, 64, 64, seed=20)
    config = tiny_config(
        finetune.AddStylesConfig, content=str(root / "photos"),
        model_dir=str(root / "run"), learning_rate=1e-2,
        jit_compile=keras.backend.backend() == "jax", summary_every=50,
        time_budget=_BUDGET, progress_every=1.0)
    seen = _SeenAtTrainBegin(config.model_dir)
    start = time.monotonic()
    finetune.add_styles(model_dir, [painting], config, callbacks=[seen])
    return config, time.monotonic() - start, seen


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_model_is_written_within_the_time_budget(budgeted):
    config, seconds, _ = budgeted
    # 10% over at most; and the budget is used, not cut short.
    assert 0.75 * _BUDGET <= seconds <= 1.1 * _BUDGET
    _, styles, _ = folder_io.read(config.model_dir)
    assert styles[-1].name == "new_style"


def test_the_model_records_the_steps_taken(budgeted):
    config, _, _ = budgeted
    _, record = folder_io.read_styles(config.model_dir)
    with open(os.path.join(config.model_dir, "progress.json")) as f:
        steps = json.load(f)["step"]
    assert record["finetuning"][-1]["num_steps"] == steps
    assert record["finetuning"][-1]["time_budget"] == _BUDGET


def test_a_budgeted_run_writes_no_checkpoints(budgeted):
    config, _, _ = budgeted
    assert not [n for n in os.listdir(config.model_dir)
                if n.startswith("ckpt")]


def test_progress_ends_done_with_the_steps_taken(budgeted):
    config, seconds, _ = budgeted
    with open(os.path.join(config.model_dir, "progress.json")) as f:
        progress = json.load(f)
    assert progress["state"] == "done"
    assert progress["step"] == progress["num_steps"] > 2
    assert progress["seconds"] <= round(seconds, 3)  # Rounded to 1 ms.
    assert progress["seconds_left"] == 0.0
    assert np.isfinite(progress["loss"])


def test_progress_and_the_blend_preview_come_before_the_first_step(
        budgeted):
    _, _, seen = budgeted
    assert seen.progress["state"] == "preparing"
    assert seen.progress["step"] == 0
    assert seen.had_preview


def test_preview_is_the_sample_photo_painted_at_256_px(budgeted):
    config, _, _ = budgeted
    with Image.open(os.path.join(config.model_dir, "preview.jpg")) as image:
        assert image.format == "JPEG"
        assert max(image.size) == progress_report.PREVIEW_SIZE


def test_a_failed_run_says_so(model_dir, tmp_path):
    config = tiny_config(finetune.AddStylesConfig, content=str(tmp_path),
                         model_dir=str(tmp_path / "run"), progress_every=1.0)
    with pytest.raises(FileNotFoundError):
        finetune.add_styles(model_dir, [str(tmp_path / "missing.png")],
                            config)
    with open(tmp_path / "run" / "progress.json") as f:
        assert json.load(f)["state"] == "failed"


def test_progress_has_no_plan_until_the_first_steps_are_timed(tmp_path):
    budget = time_budget.TimeBudget(time.monotonic() + 60, learning_rate=1.0)
    callback = progress_report.ProgressCallback(
        progress_report.ProgressReport(str(tmp_path), every=1.0), 0, budget)
    callback.on_train_begin()

    callback.write("training")
    with open(tmp_path / "progress.json") as f:
        assert json.load(f)["num_steps"] is None
    budget.planned_steps = 40
    callback.write("training")
    with open(tmp_path / "progress.json") as f:
        assert json.load(f)["num_steps"] == 40
