"""Keras callbacks of a training run: checkpoints, TensorBoard, samples."""

import time

from absl import logging
import keras
import numpy as np

from multistyle.io import image_io
from multistyle.network import transformer_net
from multistyle.training import checkpoint


class CheckpointCallback(keras.callbacks.Callback):
    """Saves an atomic checkpoint of the network and optimizer each epoch.

    An "epoch" of a training run is `steps_per_epoch` steps, so the global
    step after epoch `e` (0-based) is `(e + 1) * steps_per_epoch`.
    """

    def __init__(self, directory, transformer, steps_per_epoch):
        super().__init__()
        self.directory = directory
        self.transformer = transformer
        self.steps_per_epoch = steps_per_epoch

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.steps_per_epoch
        path = checkpoint.save(self.directory, step, self.transformer,
                               self.model.optimizer)
        logging.info("Saved checkpoint %s", path)


class SummaryCallback(keras.callbacks.Callback):
    """Writes loss scalars, throughput and sample stylizations.

    Args:
        writer: A `summary_writer.SummaryWriter`.
        transformer: The network being trained.
        sample_images: float32 `(n, h, w, 3)` photos in [0, 1], or None
            for no sample images (scalars only).
        num_styles: How many styles the sample grid shows (the first).
        steps_per_epoch: Steps per epoch (to compute the global step).
        every_n_steps: Scalar summary interval.
    """

    def __init__(self, writer, transformer, sample_images, num_styles,
                 steps_per_epoch, every_n_steps=50):
        super().__init__()
        self.writer = writer
        self.transformer = transformer
        self.sample_images = sample_images
        self.num_styles = num_styles
        self.steps_per_epoch = steps_per_epoch
        self.every_n_steps = every_n_steps
        self._epoch = 0
        self._last = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._last = (epoch * self.steps_per_epoch, time.perf_counter())

    def on_train_batch_end(self, batch, logs=None):
        step = self._epoch * self.steps_per_epoch + batch + 1
        if step % self.every_n_steps:
            return
        for name, value in (logs or {}).items():
            self.writer.scalar(f"train/{name}", value, step)
        last_step, last_time = self._last
        now = time.perf_counter()
        if step > last_step:
            self.writer.scalar("train/steps_per_second",
                               (step - last_step) / (now - last_time), step)
        self._last = (step, now)

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.steps_per_epoch
        if self.sample_images is not None:
            self.writer.image("samples", self.sample_grid(), step)
        self.writer.flush()

    def sample_grid(self):
        """One row per sample photo: the photo, then each style."""
        rows = []
        total = transformer_net.num_styles_of(self.transformer)
        weights = np.eye(total, dtype=np.float32)[:self.num_styles]
        for image in self.sample_images:
            batch = np.repeat(image[None], self.num_styles, axis=0)
            stylized = np.asarray(self.transformer.predict_on_batch(
                [batch, weights]))
            rows.append(np.concatenate([image, *stylized], axis=1))
        return image_io.to_uint8(np.concatenate(rows, axis=0))


class ProgressLogger(keras.callbacks.Callback):
    """Logs the global step, steps/s and the run's ETA after each epoch."""

    def __init__(self, steps_per_epoch, total_steps):
        super().__init__()
        self.steps_per_epoch = steps_per_epoch
        self.total_steps = total_steps
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        rate = self.steps_per_epoch / seconds
        step = (epoch + 1) * self.steps_per_epoch
        eta = (self.total_steps - step) / rate
        losses = ", ".join(f"{k}={v:.4g}" for k, v in (logs or {}).items())
        logging.info("step %d/%d  %.2f steps/s  ETA %.0fs  %s", step,
                     self.total_steps, rate, eta, losses)
