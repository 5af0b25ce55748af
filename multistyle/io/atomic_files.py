"""Writes files and folders atomically: complete or not at all.

Everything is written under a temporary name beside its destination and
renamed into place when complete, so a crash, `kill -9` or Ctrl-C leaves
either the old version or the new one, never a half-written mix.
"""

import os
import shutil
import tempfile


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, write_fn, suffix=""):
    """Calls `write_fn(tmp_path)` then renames the temporary file to `path`.

    Args:
        path: Destination path; its folder is created if needed.
        write_fn: Writes the content to the path it is given.
        suffix: Extension for the temporary file, for writers that check
            it (e.g. ".keras", ".npz").
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=suffix)
    os.close(fd)
    try:
        write_fn(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


def write_text(path, text):
    """Writes a UTF-8 text file atomically."""

    def write(tmp_path):
        with open(tmp_path, "w", encoding="utf-8") as f:
            f.write(text)

    atomic_write(path, write, suffix=os.path.splitext(path)[1])


def write_folder(path, write_fn, overwrite=False):
    """Calls `write_fn(tmp_dir)` then renames the folder it filled to `path`.

    An existing folder at `path` is replaced only once the new one is
    complete (and restored if the final rename fails).

    Args:
        path: Destination folder; its parent is created if needed.
        write_fn: Fills the (empty) folder it is given.
        overwrite: Replace `path` if it exists.

    Raises:
        FileExistsError: If `path` exists and `overwrite` is False.
    """
    path = os.path.abspath(path)
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists.")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp_dir = tempfile.mkdtemp(dir=parent,
                               prefix=f".{os.path.basename(path)}.tmp-")
    try:
        os.chmod(tmp_dir, 0o777 & ~_umask())  # mkdtemp makes it private.
        write_fn(tmp_dir)
        _move_into_place(tmp_dir, path)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise


def _move_into_place(tmp_dir, path):
    """Renames the finished `tmp_dir` to `path`, replacing it."""
    old = None
    if os.path.lexists(path):
        old = os.path.join(tempfile.mkdtemp(
            dir=os.path.dirname(path),
            prefix=f".{os.path.basename(path)}.old-"), "previous")
        os.rename(path, old)
    try:
        os.rename(tmp_dir, path)
    except BaseException:
        if old is not None:
            os.rename(old, path)
        raise
    finally:
        if old is not None:
            shutil.rmtree(os.path.dirname(old), ignore_errors=True)
