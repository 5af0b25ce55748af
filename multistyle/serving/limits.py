"""What one server accepts: upload size, pixels, paintings in flight, time.

The defaults suit one CPU machine: a 12-megapixel phone photo fits every
limit, and a full-size painting of it takes about 20 s with the full
network on 2 cores, well inside the timeout.
"""

import dataclasses

MEGABYTE = 2**20


@dataclasses.dataclass(frozen=True)
class Limits:
    """The server's limits.

    Args:
        max_upload_mb: Largest request body, MiB; more is refused (413).
        max_pixels: Largest photo, width x height, read from its header
            before decoding (decompression bombs); more is refused (400).
        max_in_flight: Paintings run at once; more wait in the queue.
        max_queue: Requests that may wait for a painting slot; when the
            queue is full, requests are refused at once (503 with
            `Retry-After`).
        timeout: Seconds a request may take, queue included (504 after).
        preview_size: Long side, pixels, of previews (`preview=true`
            without `max_size`).
        retry_after: Seconds a refused client is told to wait.

    Raises:
        ValueError: If a limit is not positive (`max_queue` may be 0).
    """

    max_upload_mb: float = 32.0
    max_pixels: int = 36_000_000
    max_in_flight: int = 2
    max_queue: int = 8
    timeout: float = 120.0
    preview_size: int = 384
    retry_after: int = 1

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            least = 0 if field.name == "max_queue" else 1e-9
            if not value >= least:
                raise ValueError(
                    f"`{field.name}` must be "
                    f"{'0 or more' if least == 0 else 'positive'}. "
                    f"Received: {field.name}={value}")

    @property
    def max_upload_bytes(self):
        """`max_upload_mb` in bytes."""
        return int(self.max_upload_mb * MEGABYTE)
