import numpy as np
import pytest

from multistyle.video import temporal_smoothing


def _clip(num_frames=8, height=48, width=64, seed=0):
    """A static noisy background with a bright square moving right, and a
    fake stylization that flickers: new texture every frame."""
    rng = np.random.default_rng(seed)
    background = rng.integers(40, 200, (height, width, 3)).astype(np.float32)
    sources, painted, moving = [], [], []
    for i in range(num_frames):
        frame = background + rng.normal(0, 1.0, background.shape)
        frame[4:16, 4 + 4 * i:16 + 4 * i] = 250.0
        frame = np.clip(frame, 0, 255).astype(np.uint8)
        sources.append(frame)
        painted.append(np.clip(frame / 255.0 * 0.8
                               + rng.uniform(0, 0.2, frame.shape), 0, 1)
                       .astype(np.float32))
        mask = np.zeros((height, width), bool)
        mask[4:16, 4 + 4 * max(i - 1, 0):16 + 4 * i] = True
        moving.append(mask)
    return sources, painted, moving


def test_flicker_ratio_of_an_unchanged_copy_is_one():
    sources, _, _ = _clip()

    assert temporal_smoothing.flicker_ratio(sources, sources) == \
        pytest.approx(1.0)


def test_smoothing_reduces_flicker_of_static_regions():
    sources, painted, _ = _clip()
    smoother = temporal_smoothing.MotionAwareSmoother(strength=0.8)

    smoothed = [smoother(s, p) for s, p in zip(sources, painted)]

    static = np.s_[32:]  # Rows the square never comes near.
    before = temporal_smoothing.flicker_ratio(
        [s[static] for s in sources], [p[static] for p in painted])
    after = temporal_smoothing.flicker_ratio(
        [s[static] for s in sources], [p[static] for p in smoothed])
    assert after < 0.5 * before, (before, after)


def test_moving_pixels_pass_through_without_trails():
    sources, painted, moving = _clip()
    smoother = temporal_smoothing.MotionAwareSmoother(strength=0.9)

    for source, frame, mask in zip(sources, painted, moving):
        out = smoother(source, frame)
        np.testing.assert_array_equal(out[mask], frame[mask])


@pytest.mark.parametrize("kwargs,message", [
    ({"strength": 1.0}, "strength"), ({"strength": -0.1}, "strength"),
    ({"threshold": 0}, "threshold")])
def test_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        temporal_smoothing.MotionAwareSmoother(**kwargs)
