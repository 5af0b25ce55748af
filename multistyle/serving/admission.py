"""At most N paintings at once, a bounded queue, and a deadline per request.

Painting is CPU work, so it runs in worker threads while the event loop
keeps answering. `AdmissionQueue.run` admits a request if fewer than
`max_in_flight + max_queue` are admitted (else 503 with `Retry-After` at
once: a full queue answers fast instead of piling up), waits for one of
`max_in_flight` slots, and paints in a thread. A request that misses its
deadline is answered 504; its thread cannot be killed, so the slot stays
taken until the painting stops: the painter checks the deadline between
tiles (`Deadline.check`), so a large painting stops early.
"""

import asyncio
import concurrent.futures
import time

from multistyle.serving import errors


class DeadlineExceeded(Exception):
    """Raised in the painting thread when its request's time is up."""


class Deadline:
    """A point in time (monotonic seconds) a request must finish by."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self):
        """Seconds left, at least 0."""
        return max(0.0, self.at - time.monotonic())

    def check(self, *unused_progress):
        """Raises DeadlineExceeded once the time is up; usable as a tiling
        `on_tile(done, total)` callback."""
        if time.monotonic() >= self.at:
            raise DeadlineExceeded()


def _timeout_error(deadline):
    return errors.ApiError(
        504, f"The painting took longer than the server's limit of "
             f"{deadline.seconds:g} s (`timeout`). Ask for a smaller "
             "picture (`max_size`) or a larger `stroke_scale`, or try again "
             "when the server is less busy.")


class AdmissionQueue:
    """Runs blocking paintings, at most `max_in_flight` at once.

    Args:
        max_in_flight: Paintings that run at once (worker threads).
        max_queue: Requests that may wait for a slot.
        retry_after: Seconds put in the `Retry-After` header of a 503.

    Create it inside the event loop that calls `run` (the app's startup),
    and `close` it at shutdown.
    """

    def __init__(self, max_in_flight, max_queue, retry_after):
        self.max_in_flight = max_in_flight
        self.max_queue = max_queue
        self.retry_after = retry_after
        self._slots = asyncio.Semaphore(max_in_flight)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_in_flight, thread_name_prefix="painter")
        self.admitted = 0  # Waiting or painting.
        self.painting = 0

    @property
    def waiting(self):
        """Admitted requests that wait for a slot."""
        return self.admitted - self.painting

    def _busy_error(self):
        return errors.ApiError(
            503, f"The server is busy: {self.max_in_flight} paintings are "
                 f"running and {self.max_queue} waiting (`max_in_flight`, "
                 f"`max_queue`). Try again in {self.retry_after} s.",
            headers={"Retry-After": str(self.retry_after)})

    async def run(self, paint, deadline):
        """Paints `paint(deadline)` in a worker thread, and returns its
        result.

        Raises:
            ApiError: 503 if the queue is full, 504 past the deadline.
            Whatever `paint` raises (DeadlineExceeded becomes the 504).
        """
        if self.admitted >= self.max_in_flight + self.max_queue:
            raise self._busy_error()
        self.admitted += 1
        try:
            await asyncio.wait_for(self._slots.acquire(),
                                   deadline.remaining())
        except asyncio.TimeoutError:
            self.admitted -= 1
            raise _timeout_error(deadline) from None
        except BaseException:
            self.admitted -= 1
            raise
        self.painting += 1
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, paint, deadline)
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.shield(future),
                                          deadline.remaining())
        except (asyncio.TimeoutError, DeadlineExceeded):
            raise _timeout_error(deadline) from None

    def _release(self, future):
        """Frees the slot when the thread is done, not when the request
        gave up waiting for it."""
        if not future.cancelled():
            future.exception()  # Retrieved: a timed-out one is not logged.
        self.painting -= 1
        self.admitted -= 1
        self._slots.release()

    def close(self):
        """Stops the worker threads (after the paintings in progress)."""
        self._executor.shutdown(wait=True)
