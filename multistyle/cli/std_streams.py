"""`-` as a path: the photo from stdin, a PNG to stdout (`--input=-
--output=-`), so a tool can sit in a pipe."""

import io
import sys

from PIL import Image

from multistyle.inference import stylize_jobs
from multistyle.io import image_io

STDIO = "-"


class _Stdin(io.BytesIO):
    def __str__(self):  # As `image_io`'s error messages name the file.
        return "<stdin>"


def _is_terminal(stream):
    return getattr(stream, "isatty", lambda: False)()


def read_image():
    """Decodes the image piped into stdin (as `image_io.load_image`)."""
    if _is_terminal(sys.stdin):
        raise ValueError(
            "--input=- reads the photo from stdin, but stdin is a terminal; "
            "pipe one in, e.g. multistyle-stylize --input=- < photo.jpg")
    data = getattr(sys.stdin, "buffer", sys.stdin).read()
    if not data:
        raise image_io.ImageReadError(
            "<stdin>: no data; pipe an image into --input=-.")
    return image_io.load_image(_Stdin(data))


def check_writable():
    """Raises ValueError if stdout is a terminal (PNG bytes on screen)."""
    if _is_terminal(sys.stdout):
        raise ValueError(
            "--output=- writes a PNG to stdout, but stdout is a terminal; "
            "redirect or pipe it, e.g. --output=- > painted.png")


def write_png(image):
    """Writes an image (PIL or uint8 HWC array) to stdout as PNG bytes."""
    encoded = io.BytesIO()
    (image if isinstance(image, Image.Image)
     else Image.fromarray(image)).save(encoded, format="PNG")
    sys.stdout.flush()  # Text written before must not follow the bytes.
    stream = getattr(sys.stdout, "buffer", sys.stdout)
    stream.write(encoded.getvalue())
    stream.flush()


def plan(input_path, output):
    """`stylize_jobs.plan`, where `-` means stdin (input) or stdout
    (output); raises ValueError for `-` as the output of several photos
    or a stdin photo's output file without an image extension."""
    if input_path == STDIO:
        destination = output or stylize_jobs.DEFAULT_OUTPUT_FILE
        if destination != STDIO and not destination.lower().endswith(
                image_io.IMAGE_EXTENSIONS):
            raise ValueError(
                f"Output file {destination} must end with one of "
                f"{', '.join(image_io.IMAGE_EXTENSIONS)}.")
        return [stylize_jobs.Job(STDIO, destination)], False
    jobs, is_batch = stylize_jobs.plan(
        input_path, None if output == STDIO else output)
    if output == STDIO:
        if is_batch:
            raise ValueError(
                "--output=- writes one image to stdout; a folder or glob "
                "--input needs --output=FOLDER.")
        jobs = [stylize_jobs.Job(jobs[0].source, STDIO)]
    return jobs, is_batch
