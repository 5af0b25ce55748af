"""What a tool tells its user: one line per result, or with `--json` one
JSON object on stdout (paths, sizes, styles, seconds) for scripts. With
`--output=-` stdout carries the image, so the lines go to stderr."""

import json
import os
import sys
import time

from absl import flags
from PIL import Image

import multistyle

_START_TIME = time.perf_counter()  # Near enough the command's start.
JSON = flags.DEFINE_bool(
    "json", False,
    "Print a JSON summary of what was written (paths, sizes, styles, "
    "seconds) on stdout instead of the usual lines.")


def check_stdout_free(output):
    """Raises ValueError if `--json` and `--output=-` both want stdout."""
    if JSON.value and output == "-":
        raise ValueError(
            "--json prints its summary on stdout, which --output=- uses "
            "for the image; write the image to a file, or drop --json.")


def say(line, output=None):
    """Prints a line of the tool's (on stderr if `output` is `-`), unless
    `--json`."""
    if not JSON.value:
        print(line, file=sys.stderr if output == "-" else sys.stdout,
              flush=True)


def seconds_since_start():
    return round(time.perf_counter() - _START_TIME, 3)


def progress_bar(total, unit):
    """A Keras progress bar of `total` `unit`s (none with `--json`):
    `update(done)`, and `update(done, final=True)` to end it at `done`
    (`total` may have been an estimate)."""
    if JSON.value:
        return lambda done, final=False: None
    import keras  # Only here: it is slow to import.

    bar = keras.utils.Progbar(max(1, total), unit_name=unit)

    def update(done, final=False):
        if final:
            bar.target = done
            bar.update(done, finalize=True)
        elif done < bar.target:
            bar.update(done)
    return update


def destination(path):
    """How a line names a written file: `a PNG to stdout` for `-`."""
    return "a PNG to stdout" if path == "-" else path


def file_info(path, image=None):
    """`{"path", "bytes"[, "width", "height"]}` of a written file (and the
    size of `image`, PIL or HWC array); `-` is stdout."""
    info = {"path": path}
    if path != "-" and os.path.exists(path):
        info["bytes"] = os.path.getsize(path)
    if image is not None:
        width, height = (image.size if isinstance(image, Image.Image)
                         else (image.shape[1], image.shape[0]))
        info.update(width=int(width), height=int(height))
    return info


def emit(command, **summary):
    """With `--json`, prints `{"command", "version", **summary, "seconds"}`
    (`seconds` since the start unless given)."""
    if JSON.value:
        summary.setdefault("seconds", seconds_since_start())
        print(json.dumps({"command": command,
                          "version": multistyle.__version__, **summary},
                         indent=2), flush=True)
