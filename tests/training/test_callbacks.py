import logging

import numpy as np

from multistyle.network import transformer_net
from multistyle.training import callbacks
from multistyle.training import checkpoint
from tests.training.test_checkpoint import _net_and_optimizer


class _Writer:
    """Records what a `SummaryWriter` would write."""

    def __init__(self):
        self.scalars, self.images, self.flushes = [], [], 0

    def scalar(self, tag, value, step):
        self.scalars.append((tag, step))

    def image(self, tag, image, step):
        self.images.append((tag, image, step))

    def flush(self):
        self.flushes += 1


class _Model:
    def __init__(self, optimizer):
        self.optimizer = optimizer


def test_checkpoints_are_named_by_global_step(tmp_path):
    net, optimizer = _net_and_optimizer(seed=0)
    callback = callbacks.CheckpointCallback(str(tmp_path), net, 5)
    callback.set_model(_Model(optimizer))
    callback.on_epoch_end(2)
    assert checkpoint.latest(str(tmp_path)).endswith("ckpt-00000015.npz")


def _summary(num_styles=2, every=2):
    net = transformer_net.build_transformer_net(3, alpha=0.125)
    rng = np.random.default_rng(1)
    for norm in transformer_net.conditional_norm_layers(net):
        norm.beta.assign(rng.normal(0.0, 0.5, norm.beta.shape))
    samples = np.random.default_rng(0).random((2, 16, 20, 3), np.float32)
    writer = _Writer()
    return writer, callbacks.SummaryCallback(writer, net, samples,
                                             num_styles, steps_per_epoch=4,
                                             every_n_steps=every)


def test_scalars_are_written_every_n_global_steps():
    writer, callback = _summary(every=2)
    callback.on_epoch_begin(1)
    for batch in range(4):
        callback.on_train_batch_end(batch, {"loss": 1.0})
    steps = sorted({step for tag, step in writer.scalars
                    if tag == "train/loss"})
    assert steps == [6, 8]
    assert ("train/steps_per_second", 6) in writer.scalars


def test_sample_grid_shows_each_photo_then_each_style():
    _, callback = _summary(num_styles=2)
    grid = callback.sample_grid()
    assert grid.dtype == np.uint8 and grid.shape == (2 * 16, 3 * 20, 3)
    np.testing.assert_array_equal(
        grid[:16, :20], np.clip(callback.sample_images[0] * 255 + 0.5, 0,
                                255).astype(np.uint8))
    assert not np.array_equal(grid[:16, 20:40], grid[:16, 40:])


def test_epoch_end_writes_the_sample_grid_at_the_global_step():
    writer, callback = _summary()
    callback.on_epoch_end(0)
    assert [(tag, step) for tag, _, step in writer.images] == [
        ("samples", 4)]
    assert writer.flushes == 1


def test_progress_is_logged_with_step_and_total(caplog):
    logger = callbacks.ProgressLogger(steps_per_epoch=10, total_steps=30)
    with caplog.at_level(logging.INFO):
        logger.on_epoch_begin(0)
        logger.on_epoch_end(0, {"loss": 0.5})
    assert "step 10/30" in caplog.text and "loss=0.5" in caplog.text
