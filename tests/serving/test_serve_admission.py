"""Concurrent requests: the in-flight limit, the bounded queue (503), the
timeout (504), and slots freed whatever happened."""

import concurrent.futures
import threading
import time

import numpy as np
import pytest

from multistyle.serving import admission
from multistyle.serving import limits as limits_lib
from multistyle.serving import painter as painter_lib
from tests.serving.conftest import decoded
from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array


class _BlockingPainter:
    """The real painter, but each painting first waits for `release`."""

    def __init__(self, painter):
        self._painter = painter
        self.started = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name):
        return getattr(self._painter, name)

    def paint(self, *args, **kwargs):
        self.started.set()
        assert self.release.wait(30), "the test never released the painter"
        return self._painter.paint(*args, **kwargs)


def _wait_until(condition, seconds=10):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.005)


def _post(client, png):
    return client.post("/v1/stylize", content=png,
                       params={"weights": "udnie=1"})


def test_full_queue_answers_503_at_once_and_the_rest_finish(serve,
                                                            lite_painter,
                                                            png):
    painter = _BlockingPainter(lite_painter)
    with serve(painter, max_in_flight=1, max_queue=1) as client, \
            concurrent.futures.ThreadPoolExecutor(2) as pool:
        queue = client.app_state.queue
        painting = pool.submit(_post, client, png)
        assert painter.started.wait(10)
        waiting = pool.submit(_post, client, png)
        _wait_until(lambda: queue.waiting == 1)

        refused = _post(client, png)
        health = client.get("/healthz").json()
        painter.release.set()
        done = [painting.result(), waiting.result()]

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert "`max_in_flight`, `max_queue`" in refused.json()["error"]
    assert (health["painting"], health["waiting"]) == (1, 1)
    assert [r.status_code for r in done] == [200, 200]
    assert queue.admitted == 0


def test_concurrent_requests_each_get_their_own_painting(serve, lite_painter):
    styles = ["starry_night", "udnie", "great_wave", "the_scream"]
    photos = [photo_array(40, 56, seed=s) for s in range(len(styles))]
    with serve(lite_painter, max_in_flight=2, max_queue=4) as client, \
            concurrent.futures.ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(
            lambda args: client.post("/v1/stylize", content=encoded(args[0]),
                                     params={"style": args[1]}),
            zip(photos, styles)))

    for photo, style, response in zip(photos, styles, responses):
        expected = lite_painter.full.stylize(
            photo, lite_painter.weights(style=style))
        np.testing.assert_array_equal(decoded(response.content), expected)


def test_request_past_the_timeout_gets_504_and_frees_its_slot(serve,
                                                             lite_painter,
                                                             png,
                                                             monkeypatch):
    painter = _BlockingPainter(lite_painter)
    with serve(painter, max_in_flight=1, max_queue=0,
               timeout=0.2) as client:
        late = _post(client, png)
        painter.release.set()
        _wait_until(lambda: client.app_state.queue.admitted == 0)
        # The next request must be admitted (a slot still held would answer
        # 503); it gets a minute, as painting can outlast 0.2 s under load.
        deadline = admission.Deadline
        monkeypatch.setattr(admission, "Deadline",
                            lambda unused_seconds: deadline(60))
        after = _post(client, png)

    assert late.status_code == 504
    assert "limit of 0.2 s (`timeout`)" in late.json()["error"]
    assert after.status_code == 200


def test_waiting_in_the_queue_counts_toward_the_timeout(serve, lite_painter,
                                                        png):
    painter = _BlockingPainter(lite_painter)
    with serve(painter, max_in_flight=1, max_queue=1,
               timeout=0.3) as client, \
            concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(_post, client, png)
        assert painter.started.wait(10)
        queued = _post(client, png)
        painter.release.set()
        first.result()

    assert queued.status_code == 504
    assert client.app_state.queue.admitted == 0


class _ExpiresAfterChecks(admission.Deadline):
    """A deadline that passes at its `checks`-th check."""

    def __init__(self, checks):
        super().__init__(60)
        self.left = checks
        self.calls = 0

    def check(self, *progress):
        self.calls += 1
        self.left -= 1
        if self.left <= 0:
            raise admission.DeadlineExceeded()


def test_deadline_stops_a_tiled_painting_between_tiles(lite_painter):
    options = painter_lib.PaintOptions(weights=lite_painter.weights())
    before, after_first_tile = _ExpiresAfterChecks(1), _ExpiresAfterChecks(2)

    for deadline in (before, after_first_tile):
        with pytest.raises(admission.DeadlineExceeded):
            # Two 32x1024 tiles (tiling.DEFAULT_TILE_SIZE).
            lite_painter.paint(photo_array(32, 1500), options, deadline)

    assert (before.calls, after_first_tile.calls) == (1, 2)


@pytest.mark.parametrize("field, value", [
    ("max_in_flight", 0), ("max_queue", -1), ("timeout", 0),
    ("max_upload_mb", -2), ("max_pixels", 0), ("preview_size", 0)])
def test_limits_must_be_positive(field, value):
    with pytest.raises(ValueError, match=f"`{field}` must be"):
        limits_lib.Limits(**{field: value})
