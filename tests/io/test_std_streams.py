import io
import sys

import numpy as np
from PIL import Image
import pytest

from multistyle.io import image_io
from multistyle.io import std_streams


class _Stream:
    """A stand-in for sys.stdin/stdout: bytes in `buffer`, a tty or not."""

    def __init__(self, data=b"", tty=False):
        self.buffer = io.BytesIO(data)
        self._tty = tty

    def isatty(self):
        return self._tty

    def flush(self):
        pass


def _png_bytes(pixels):
    encoded = io.BytesIO()
    Image.fromarray(pixels).save(encoded, format="PNG")
    return encoded.getvalue()


def test_reads_the_photo_piped_into_stdin(monkeypatch):
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    monkeypatch.setattr(sys, "stdin", _Stream(_png_bytes(pixels)))
    assert np.array_equal(std_streams.image_source("-"), pixels)


def test_a_path_is_passed_through_unread():
    assert std_streams.image_source("photo.jpg") == "photo.jpg"


def test_empty_stdin_is_a_read_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stream(b""))
    with pytest.raises(image_io.ImageReadError, match="no data"):
        std_streams.image_source("-")


def test_stdin_from_a_terminal_is_refused(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stream(tty=True))
    with pytest.raises(ValueError, match="stdin is a terminal"):
        std_streams.image_source("-")


def test_writes_png_bytes_to_stdout(monkeypatch):
    pixels = np.full((4, 5, 3), (10, 200, 30), np.uint8)
    out = _Stream()
    monkeypatch.setattr(sys, "stdout", out)
    std_streams.save("-", pixels)
    decoded = np.asarray(Image.open(io.BytesIO(out.buffer.getvalue())))
    assert np.array_equal(decoded, pixels)


def test_saves_to_a_file(tmp_path):
    path = str(tmp_path / "out.png")
    pixels = np.full((4, 5, 3), 77, np.uint8)
    std_streams.save(path, pixels)
    assert np.array_equal(image_io.load_image(path), pixels)


def test_png_bytes_on_a_terminal_are_refused(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Stream(tty=True))
    with pytest.raises(ValueError, match="stdout is a terminal"):
        std_streams.check_writable()
