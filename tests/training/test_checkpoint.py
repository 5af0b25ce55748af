import os

import keras
import numpy as np

from multistyle.network import transformer_net
from multistyle.training import checkpoint


def _net_and_optimizer(seed):
    net = transformer_net.build_transformer_net(2, alpha=0.125)
    for i, v in enumerate(net.trainable_variables):
        v.assign(np.random.default_rng(seed + i).normal(size=v.shape))
    optimizer = keras.optimizers.Adam()
    optimizer.build(net.trainable_variables)
    return net, optimizer


def test_restore_returns_step_and_weights(tmp_path):
    net, optimizer = _net_and_optimizer(seed=0)
    optimizer.iterations.assign(7)
    checkpoint.save(str(tmp_path), 7, net, optimizer)
    other, other_optimizer = _net_and_optimizer(seed=100)
    step = checkpoint.restore(checkpoint.latest(str(tmp_path)), other,
                              other_optimizer)
    assert step == 7
    assert int(other_optimizer.iterations.numpy()) == 7
    for a, b in zip(net.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keeps_only_newest_checkpoints(tmp_path):
    net, optimizer = _net_and_optimizer(seed=0)
    for step in (1, 2, 3, 4):
        checkpoint.save(str(tmp_path), step, net, optimizer, keep=2)
    names = sorted(os.listdir(tmp_path))
    assert names == ["ckpt-00000003.npz", "ckpt-00000004.npz"]
    assert checkpoint.latest(str(tmp_path)).endswith("ckpt-00000004.npz")


def test_half_written_temp_file_is_ignored(tmp_path):
    net, optimizer = _net_and_optimizer(seed=0)
    checkpoint.save(str(tmp_path), 2, net, optimizer)
    # What a run killed mid-write leaves behind: a temporary file.
    (tmp_path / ".ckpt-00000004.npz.x1y2.npz").write_bytes(b"PK\x03")
    assert checkpoint.latest(str(tmp_path)).endswith("ckpt-00000002.npz")


def test_latest_of_empty_dir_is_none(tmp_path):
    assert checkpoint.latest(str(tmp_path)) is None
