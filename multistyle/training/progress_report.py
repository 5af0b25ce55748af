"""progress.json and preview.jpg: what a server shows of a run.

A process that starts `multistyle-train --add_styles=... --progress_every=S`
follows it through two files in `model_dir`, each replaced atomically (a
reader never sees half a file):

- `progress.json`: `{"step", "num_steps", "seconds", "seconds_left",
  "loss", "state"}`, `state` going `preparing` -> `training` ->
  `writing` -> `done` (or `failed`). `seconds` counts from the start of
  the run; `num_steps` is the plan (with a time budget, revised as the
  run goes, and null until the first steps have been timed); `seconds_left` is an estimate; `loss` (the mean of the
  recent steps) is null before the first step.
- `preview.jpg`: the sample photo, long side `PREVIEW_SIZE`, painted in
  the (first) new style: first by the closest blend of the learned
  styles, before any step, then from the newest weights every S seconds.

Example:

>>> report = ProgressReport("runs/m17", every=2.0)
>>> report.write("preparing")
"""

import json
import os
import time

import keras
import numpy as np

from multistyle.io import atomic_files
from multistyle.io import image_io
from multistyle.model_folder import presets
from multistyle.network import transformer_net
from multistyle.training import time_budget

PROGRESS_FILENAME = "progress.json"
PREVIEW_FILENAME = "preview.jpg"
PREVIEW_SIZE = 256
STATES = ("preparing", "training", "writing", "done", "failed")


def preview_photo():
    """The sample photo, float32 HWC RGB in [0, 1], long side
    `PREVIEW_SIZE`."""
    return image_io.to_float(image_io.resize_long_side(
        image_io.load_image(presets.sample_photo()), PREVIEW_SIZE))


class ProgressReport:
    """Writes `progress.json` and `preview.jpg` into `model_dir`.

    Args:
        model_dir: The run's folder.
        every: Seconds between updates during training.
        start: `time.monotonic()` at the start of the run.
    """

    def __init__(self, model_dir, every, start=None):
        self.model_dir = model_dir
        self.every = float(every)
        self.start = time.monotonic() if start is None else start
        self.photo = preview_photo()
        self.last = {"step": 0, "num_steps": 0, "loss": None,
                     "seconds_left": None}

    def write(self, state, **values):
        """Writes `progress.json` with `state` and the `values` given
        (`step`, `num_steps`, `loss`, `seconds_left`); the others keep
        their last values."""
        if state not in STATES:
            raise ValueError(f"`state` must be one of {STATES}. Received: "
                             f"state={state!r}")
        self.last.update(values)
        if state == "done":
            self.last["seconds_left"] = 0.0
        record = {**self.last, "seconds": round(
            time.monotonic() - self.start, 3), "state": state}
        for key in ("loss", "seconds_left"):
            if record[key] is not None:
                record[key] = round(float(record[key]), 6)
        atomic_files.write_text(
            os.path.join(self.model_dir, PROGRESS_FILENAME),
            json.dumps(record))

    def preview(self, network, style_weights):
        """Writes `preview.jpg`: the photo painted by `network` with the
        style weights `style_weights` (`(num_styles,)`)."""
        painted = network.predict_on_batch(
            [self.photo[None], np.asarray(style_weights, np.float32)[None]])
        image_io.save_image(
            os.path.join(self.model_dir, PREVIEW_FILENAME),
            image_io.to_uint8(keras.ops.convert_to_numpy(painted)[0]))


class ProgressCallback(keras.callbacks.Callback):
    """Updates a `ProgressReport` every `report.every` seconds of
    training, the preview painted in the style 0 of the network that
    trains (`model.transformer`: the first new style).

    Args:
        report: A `ProgressReport`.
        num_steps: The planned steps (without `budget`).
        budget: The run's `time_budget.TimeBudget`, or None.
    """

    def __init__(self, report, num_steps, budget=None):
        super().__init__()
        self.report = report
        self.num_steps = num_steps
        self.budget = budget
        self._step = 0
        self._losses = budget.losses if budget else time_budget.StepLosses()
        self._started = None
        self._last = None

    def on_train_begin(self, logs=None):
        self._started = self._last = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self.budget is None:
            self._losses.update(batch, logs)
        now = time.monotonic()
        if now - self._last < self.report.every:
            return
        self._last = now
        self.write("training")
        if hasattr(self.model, "jax_state_sync"):
            self.model.jax_state_sync()  # The newest weights.
        transformer = self.model.transformer
        self.report.preview(transformer, np.eye(
            transformer_net.num_styles_of(transformer), dtype=np.float32)[0])

    def write(self, state):
        """Writes the run's progress now, in `state`."""
        if self.budget is not None:
            # None until the step time is measured (the first steps
            # compile), while the plan is still `MAX_STEPS`.
            num_steps = (self.budget.planned_steps
                         if self.budget.planned_steps < time_budget.MAX_STEPS
                         else None)
            left = self.budget.seconds_left()
        else:
            num_steps = self.num_steps
            rate = self._step / max(time.monotonic() - self._started, 1e-9)
            left = (num_steps - self._step) / rate if self._step else None
        self.report.write(state, step=self._step, num_steps=num_steps,
                          loss=self._losses.recent(10), seconds_left=left)
