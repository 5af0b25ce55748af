"""Atomic, resumable training checkpoints of the network and optimizer.

A checkpoint is one `.npz` file holding every variable of the transfer
network and of the optimizer by its Keras path, plus the global step. It is
written to a temporary file and renamed, so a run killed at any moment
(even `kill -9`) leaves the previous checkpoint intact.
"""

import glob
import os
import re

import numpy as np

from multistyle.io import atomic_files

_NAME = "ckpt-{step:08d}.npz"
_PATTERN = re.compile(r"ckpt-(\d{8})\.npz$")


def _variables(transformer, optimizer):
    named = {f"transformer/{v.path}": v for v in transformer.variables}
    # Optimizer paths start with the optimizer's own name ("adam_1/..."),
    # which Keras makes unique per process: key them without it. The
    # learning rate is the run's flags', not the checkpoint's (a constant
    # rate is a variable, a schedule is not).
    named.update({f"optimizer/{v.path.split('/', 1)[-1]}": v
                  for v in optimizer.variables
                  if v.path.split("/")[-1] != "learning_rate"})
    return named


def save(directory, step, transformer, optimizer, keep=3):
    """Writes `ckpt-<step>.npz` atomically and keeps the newest `keep`."""
    arrays = {name: np.asarray(v.numpy() if hasattr(v, "numpy") else v)
              for name, v in _variables(transformer, optimizer).items()}
    arrays["step"] = np.asarray(step, dtype=np.int64)
    path = os.path.join(directory, _NAME.format(step=step))
    atomic_files.atomic_write(
        path, lambda tmp: np.savez(tmp, **arrays), suffix=".npz")
    for old in list_checkpoints(directory)[:-keep]:
        os.remove(old)
    return path


def list_checkpoints(directory):
    """Checkpoint paths in `directory`, oldest first."""
    paths = glob.glob(os.path.join(directory, "ckpt-*.npz"))
    return sorted(p for p in paths if _PATTERN.search(p))


def latest(directory):
    """The newest checkpoint's path, or None."""
    paths = list_checkpoints(directory)
    return paths[-1] if paths else None


def restore(path, transformer, optimizer):
    """Loads a checkpoint into a built network and optimizer.

    The optimizer must already be built for the network's trainable
    variables (`optimizer.build(...)`).

    Returns:
        The global step stored in the checkpoint.

    Raises:
        ValueError: If the checkpoint does not match the network.
    """
    with np.load(path) as data:
        variables = _variables(transformer, optimizer)
        missing = sorted(set(variables) - set(data.files))
        if missing:
            raise ValueError(
                f"Checkpoint {path} does not match this model (missing "
                f"{missing[:3]}...). Use a new `model_dir`, or the settings "
                "the checkpoint was trained with.")
        for name, variable in variables.items():
            variable.assign(data[name])
        return int(data["step"])
