"""What a tool tells its user: one line per result, or JSON with `--json`.

The human lines say what was written, where and how long it took. With
`--json` stdout carries one JSON object instead (paths, sizes, styles,
seconds), for scripts; with `--output=-` stdout carries the image, so the
lines go to stderr (and `--json` is refused).
"""

import json
import os
import sys
import time

from absl import flags
from PIL import Image

import multistyle
from multistyle import cli

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
    """Prints one of the tool's own lines: on stdout, or on stderr when
    `output` is `-` (stdout carries the image); nothing with `--json`."""
    if JSON.value:
        return
    print(line, file=sys.stderr if output == "-" else sys.stdout,
          flush=True)


def seconds_since_start():
    """Seconds since the command started (since `multistyle.cli` was
    imported), rounded to milliseconds."""
    return round(time.perf_counter() - cli.START_TIME, 3)


def file_info(path, image=None):
    """`{"path", "bytes"[, "width", "height"]}` of a written file; the size
    of an image (a PIL image or HWC array) if given. `-` is stdout."""
    info = {"path": path}
    if path != "-" and os.path.exists(path):
        info["bytes"] = os.path.getsize(path)
    if image is not None:
        width, height = (image.size if isinstance(image, Image.Image)
                         else (image.shape[1], image.shape[0]))
        info.update(width=int(width), height=int(height))
    return info


def mix(style_names, weights):
    """A weight vector as `{name: weight}` of its non-zero styles."""
    return {name: round(float(w), 6)
            for name, w in zip(style_names, weights) if w}


def emit(command, **summary):
    """With `--json`, prints `{"command", "version", ..., "seconds"}`.

    Args:
        command: The tool, e.g. `multistyle-stylize`.
        **summary: JSON-serializable fields; `seconds` (total) is added
            unless given.
    """
    if not JSON.value:
        return
    summary.setdefault("seconds", seconds_since_start())
    document = {"command": command, "version": multistyle.__version__,
                **summary}
    print(json.dumps(document, indent=2), flush=True)
