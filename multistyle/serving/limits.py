"""What one server accepts: upload size, pixels, paintings in flight, time.

The defaults suit one CPU machine: a 12-megapixel phone photo fits every
limit, and a full-size painting of it takes about 20 s with the full
network on 2 cores, well inside the timeout. Each field's help is in its
metadata; `multistyle-serve` makes its limit flags from them.
"""

import dataclasses

from multistyle import errors

MEGABYTE = 2**20


def _field(default, help_text):
    return dataclasses.field(default=default, metadata={"help": help_text})


@dataclasses.dataclass(frozen=True)
class Limits:
    """The server's limits (see each field's help).

    Raises:
        ValueError: If a limit is not positive (`max_queue` may be 0).
    """

    max_upload_mb: float = _field(
        32.0, "Largest request body, MiB; larger ones get 413.")
    max_pixels: int = _field(
        36_000_000,
        "Largest photo, width x height, read from the file's header before "
        "decoding; larger ones (and decompression bombs) get 400.")
    max_in_flight: int = _field(
        2, "Paintings at once (worker threads); more requests wait in the "
           "queue.")
    max_queue: int = _field(
        8, "Requests that may wait for a painting; when the queue is full, "
           "more get 503 with Retry-After at once.")
    timeout: float = _field(
        120.0, "Seconds a request may take, waiting included; later ones "
               "get 504 (a tiled painting stops at its next tile).")
    preview_size: int = _field(
        384, "Long side of previews (preview=true without max_size), "
             "pixels.")
    retry_after: int = _field(
        1, "Seconds a client refused with 503 is told to wait.")

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            least = 0 if field.name == "max_queue" else 1e-9
            if not value >= least:
                raise errors.ArgumentError(
                    f"{{{field.name}}} must be "
                    f"{'0 or more' if least == 0 else 'positive'}. "
                    f"Received: {{{field.name}:value}}={value}",
                    (field.name,))

    @property
    def max_upload_bytes(self):
        """`max_upload_mb` in bytes."""
        return int(self.max_upload_mb * MEGABYTE)
