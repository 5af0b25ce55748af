"""`-` as a path: read the photo from stdin, write a PNG to stdout.

`multistyle-stylize --input=- --output=- < photo.jpg > painted.png` lets a
tool sit in a pipe. Stdin is read whole and decoded like a file (any
format PIL reads, EXIF orientation applied); stdout gets PNG bytes, and
the tool's own lines move to stderr (`report.take_stdout`).
"""

import io
import sys

from PIL import Image

from multistyle.inference import stylize_jobs
from multistyle.io import image_io

STDIO = "-"
STDIN_NAME = "<stdin>"


class _NamedBuffer(io.BytesIO):
    """Bytes that print as `<stdin>` in `image_io`'s error messages."""

    def __str__(self):
        return STDIN_NAME


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def read_image(stream=None):
    """Decodes the image piped into stdin as uint8 RGB, HWC.

    Raises:
        ValueError: If stdin is a terminal (nothing piped in).
        ImageReadError: If the bytes are empty or not an image.
    """
    stream = sys.stdin if stream is None else stream
    if _is_terminal(stream):
        raise ValueError(
            "--input=- reads the photo from stdin, but stdin is a terminal; "
            "pipe one in, e.g. multistyle-stylize --input=- < photo.jpg")
    data = getattr(stream, "buffer", stream).read()
    if not data:
        raise image_io.ImageReadError(
            f"{STDIN_NAME}: no data; pipe an image into --input=-.")
    return image_io.load_image(_NamedBuffer(data))


def check_writable(stream=None):
    """Raises ValueError if stdout is a terminal: PNG bytes would land on
    the screen."""
    stream = sys.stdout if stream is None else stream
    if _is_terminal(stream):
        raise ValueError(
            "--output=- writes a PNG to stdout, but stdout is a terminal; "
            "redirect or pipe it, e.g. --output=- > painted.png")


def write_png(image, stream=None):
    """Writes an image (PIL or uint8 HWC array) to stdout as PNG bytes."""
    stream = sys.stdout if stream is None else stream
    if not isinstance(image, Image.Image):
        image = Image.fromarray(image)
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    if hasattr(stream, "buffer"):
        stream.flush()  # Text written before must not follow the bytes.
        stream = stream.buffer
    stream.write(encoded.getvalue())
    stream.flush()


def plan(input_path, output, default_output=None):
    """`stylize_jobs.plan`, where `-` means stdin (input) or stdout (output).

    Args:
        input_path: An image file, folder or glob, or `-`.
        output: An output file or folder, `-`, or None for the default.
        default_output: The output file when `output` is None and the input
            is `-` or one file (None: `stylize_jobs`' default).

    Returns:
        `(jobs, is_batch)` as `stylize_jobs.plan`; a job's source or
        destination may be `-`.

    Raises:
        ValueError: If `-` is the output of a folder or glob, or the output
            file of stdin has no image extension.
        FileNotFoundError: As `stylize_jobs.plan`.
    """
    if input_path == STDIO:
        destination = output or default_output or \
            stylize_jobs.DEFAULT_OUTPUT_FILE
        if destination != STDIO and not destination.lower().endswith(
                image_io.IMAGE_EXTENSIONS):
            raise ValueError(
                f"Output file {destination} must end with one of "
                f"{', '.join(image_io.IMAGE_EXTENSIONS)}.")
        return [stylize_jobs.Job(STDIO, destination)], False
    jobs, is_batch = stylize_jobs.plan(
        input_path, None if output == STDIO else output or default_output)
    if output == STDIO:
        if is_batch:
            raise ValueError(
                "--output=- writes one image to stdout; a folder or glob "
                "--input needs --output=FOLDER.")
        jobs = [stylize_jobs.Job(jobs[0].source, STDIO)]
    return jobs, is_batch
