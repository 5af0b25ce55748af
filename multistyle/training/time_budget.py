"""Fits a training run into a time budget (`finetune.add_styles`).

A run with a deadline cannot know its number of steps in advance: the
step time depends on the machine and on what else runs on it. So
`TimeBudget` measures it as the run goes (after the first steps, which
compile), plans as many steps as fit before the deadline less the time
to write the model, decays the learning rate to 0 over them (cosine, the
plan revised every step), and stops early once the loss stops falling:
when the mean loss of the last `plateau_window` steps is less than
`PLATEAU_GAIN` below the mean of the window before.

Example:

>>> budget = TimeBudget(time.monotonic() + 60, learning_rate=1e-2)
>>> model.fit(dataset, steps_per_epoch=MAX_STEPS, callbacks=[budget])
"""

import math
import time

from absl import logging
import keras
import numpy as np

# The steps of a budgeted run's one epoch: more than any budget holds.
MAX_STEPS = 1_000_000
# Steps that include compilation, left out of the step time.
_COMPILING_STEPS = 2
PLATEAU_WINDOW = 50
PLATEAU_GAIN = 0.01
# A step slower than the mean by this factor still ends in time.
_STEP_MARGIN = 1.5
_LOG_EVERY_S = 10.0


def write_reserve(budget):
    """Seconds kept for writing the model folder out of `budget`."""
    return max(2.0, 0.04 * budget)


class StepLosses:
    """Each step's loss, recovered from Keras' running mean of the epoch
    (`logs[key]` after batch `b` is the mean of its `b + 1` steps)."""

    def __init__(self, key="loss"):
        self.key = key
        self.losses = []
        self._sum = 0.0

    def update(self, batch, logs):
        """Records the loss of batch `batch` from `fit()`'s `logs`."""
        if logs is None or self.key not in logs:
            return
        total = float(logs[self.key]) * (batch + 1)
        if batch == 0:
            self._sum = 0.0
        self.losses.append(total - self._sum)
        self._sum = total

    def recent(self, count):
        """The mean loss of the last `count` steps (None before any)."""
        return float(np.mean(self.losses[-count:])) if self.losses else None


class TimeBudget(keras.callbacks.Callback):
    """Plans steps and learning rate for a deadline; stops the run.

    The optimizer must have a constant learning rate (a variable this
    callback assigns), not a schedule; `fit()` runs one epoch of
    `MAX_STEPS` steps.

    Args:
        deadline: `time.monotonic()` by which the run, model written,
            must end.
        learning_rate: The peak learning rate, decayed to 0.
        reserve: Seconds before the deadline for writing the model.
        plateau_window: Steps per window of the plateau test (0: off;
            None: `PLATEAU_WINDOW`).

    Attributes:
        step: Steps done.
        planned_steps: The steps the plan now holds.
        stopped_by: 'budget', 'plateau' or None while running.
        losses: The run's `StepLosses`.
    """

    def __init__(self, deadline, learning_rate, reserve=2.0,
                 plateau_window=None):
        super().__init__()
        self.deadline = deadline
        self.learning_rate = float(learning_rate)
        self.reserve = float(reserve)
        self.plateau_window = int(PLATEAU_WINDOW if plateau_window is None
                                  else plateau_window)
        self.step = 0
        self.planned_steps = MAX_STEPS
        self.stopped_by = None
        self.losses = StepLosses()
        self._measured_from = None
        self._logged = time.monotonic()

    def learning_rate_at(self, step):
        """Cosine decay from `learning_rate` to 0 at `planned_steps`."""
        progress = min(step / max(self.planned_steps, 1), 1.0)
        return self.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))

    def seconds_left(self):
        """Seconds until the deadline."""
        return max(self.deadline - time.monotonic(), 0.0)

    def on_train_batch_begin(self, batch, logs=None):
        if hasattr(self.model, "jax_state_sync"):
            self.model.jax_state_sync()  # Else JAX overwrites the rate.
        self.model.optimizer.learning_rate = self.learning_rate_at(self.step)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self.losses.update(batch, logs)
        now = time.monotonic()
        left = self.deadline - self.reserve - now
        if self.step <= _COMPILING_STEPS:
            self._measured_from = (self.step, now)
            step_time = 0.0
        else:
            first_step, start = self._measured_from
            step_time = (now - start) / (self.step - first_step)
            self.planned_steps = self.step + max(
                int(left / step_time - (_STEP_MARGIN - 1.0)), 0)
        if left < _STEP_MARGIN * step_time or self.step >= self.planned_steps:
            self._stop("budget")
        elif self._on_plateau():
            self._stop("plateau")
        elif now - self._logged >= _LOG_EVERY_S:
            self._logged = now
            logging.info("step %d of about %d, %.0f s left, loss %.4g",
                         self.step, self.planned_steps, self.seconds_left(),
                         self.losses.recent(10) or float("nan"))

    def _on_plateau(self):
        window = self.plateau_window
        if not window or len(self.losses.losses) < 2 * window:
            return False
        recent = np.mean(self.losses.losses[-window:])
        before = np.mean(self.losses.losses[-2 * window:-window])
        return before - recent < PLATEAU_GAIN * abs(before)

    def _stop(self, reason):
        self.stopped_by = reason
        self.planned_steps = self.step
        self.model.stop_training = True
        logging.info("Stopping after %d steps (%s), %.1f s before the "
                     "deadline.", self.step, reason, self.seconds_left())
