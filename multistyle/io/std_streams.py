"""`-` as a path: the photo from stdin, a PNG to stdout (`--input=-
--output=-`), so a tool can sit in a pipe."""

import io
import sys

from PIL import Image

from multistyle.io import image_io

STDIO = "-"


class _Stdin(io.BytesIO):
    def __str__(self):  # As `image_io`'s error messages name the file.
        return "<stdin>"


def _is_terminal(stream):
    return getattr(stream, "isatty", lambda: False)()


def _read_image():
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


def _write_png(image):
    """Writes an image (PIL or uint8 HWC array) to stdout as PNG bytes."""
    encoded = io.BytesIO()
    (image if isinstance(image, Image.Image)
     else Image.fromarray(image)).save(encoded, format="PNG")
    sys.stdout.flush()  # Text written before must not follow the bytes.
    stream = getattr(sys.stdout, "buffer", sys.stdout)
    stream.write(encoded.getvalue())
    stream.flush()


def image_source(path):
    """What `Stylizer.stylize` takes for `path`: the image decoded from
    stdin for `-`, else the path itself (read when painted)."""
    return _read_image() if path == STDIO else path


def save(path, image):
    """Writes an image (PIL or uint8 HWC array) to `path`, or as a PNG to
    stdout for `-` (`image_io.save_image`)."""
    if path == STDIO:
        _write_png(image)
    else:
        image_io.save_image(path, image)
