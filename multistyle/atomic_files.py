"""Writes files atomically: complete or not at all, even after Ctrl-C."""

import os
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
