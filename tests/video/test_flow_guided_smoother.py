"""FlowGuidedSmoother: flicker falls along the motion, without trails."""

import numpy as np
from PIL import Image
import pytest

from multistyle.video import flow_guided_smoother
from multistyle.video import warping_error

HEIGHT, WIDTH = 72, 112


def _texture(height, width, seed=0):
    """Smooth random RGB texture (uint8) that optical flow can follow."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 6, width // 6, 3), np.uint8)
    return np.asarray(Image.fromarray(small).resize(
        (width, height), Image.Resampling.BICUBIC))


def _flickering_paint(frames, seed=1):
    """A fake stylization that flickers: the frame plus new noise every
    time, float32 in [0, 1]."""
    rng = np.random.default_rng(seed)
    return [np.clip(f / 255.0 * 0.8 + rng.uniform(0, 0.2, f.shape), 0, 1)
            .astype(np.float32) for f in frames]


def _pan(num_frames=8, step=2):
    """Frames of a texture sliding left by `step` px per frame, and the
    known flows from each frame to the one before (the columns that come
    into view excluded)."""
    wide = _texture(HEIGHT, WIDTH + step * num_frames)
    frames = [np.ascontiguousarray(wide[:, i * step:i * step + WIDTH])
              for i in range(num_frames)]
    flow = np.zeros((HEIGHT, WIDTH, 2), np.float32)
    flow[..., 0] = step
    mask = np.ones((HEIGHT, WIDTH), bool)
    mask[:, -step:] = False
    return frames, [(flow, mask)] * (num_frames - 1)


def _smooth(frames, painted, **kwargs):
    smoother = flow_guided_smoother.FlowGuidedSmoother(**kwargs)
    return [smoother(f, p) for f, p in zip(frames, painted)], smoother


def test_warping_error_falls_on_a_pan_with_known_flow():
    frames, flows = _pan()
    painted = _flickering_paint(frames)

    smoothed, _ = _smooth(frames, painted, strength=0.8)

    before = warping_error.warping_error(painted, flows)
    after = warping_error.warping_error(smoothed, flows)
    assert after < 0.5 * before, (before, after)


def test_scene_cut_is_not_blended():
    first, second = _texture(HEIGHT, WIDTH, 0), _texture(HEIGHT, WIDTH, 7)
    frames = [first, first, second]
    painted = _flickering_paint(frames)

    smoothed, smoother = _smooth(frames, painted, strength=0.9)

    np.testing.assert_array_equal(smoothed[2], painted[2])
    assert smoother.cuts == 1
    assert np.abs(smoothed[1] - painted[1]).mean() > 0.01  # Blended.


def _moving_square(num_frames=8, step=4):
    """A static background with a bright square moving right; the masks
    cover the background the square uncovered in each frame."""
    background = _texture(HEIGHT, WIDTH, 3)
    frames, uncovered = [], []
    for i in range(num_frames):
        frame = background.copy()
        frame[20:44, 8 + step * i:32 + step * i] = (250, 240, 60)
        frames.append(frame)
        mask = np.zeros((HEIGHT, WIDTH), bool)
        if i:
            mask[20:44, 8 + step * (i - 1):8 + step * i] = True
        uncovered.append(mask)
    return frames, uncovered


def test_moving_object_leaves_no_trail():
    frames, uncovered = _moving_square()
    painted = _flickering_paint(frames)

    smoothed, _ = _smooth(frames, painted, strength=0.9)

    for i in range(1, len(frames)):
        mask = uncovered[i]
        # There the previous painting shows the square: a trail would.
        trail = np.abs(painted[i - 1][mask] - painted[i][mask]).mean()
        left = np.abs(smoothed[i][mask] - painted[i][mask]).mean()
        assert left < 0.03 and trail > 0.15, (i, left, trail)
    static = np.s_[52:, :]  # Rows the square never touches: blended.
    assert np.abs(smoothed[-1][static] - painted[-1][static]).mean() > 0.01


def test_same_frames_give_the_same_output():
    frames, _ = _pan()
    painted = _flickering_paint(frames)

    first, _ = _smooth(frames, painted)
    second, _ = _smooth(frames, painted)

    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_strength_zero_passes_frames_through():
    frames, _ = _pan(num_frames=3)
    painted = _flickering_paint(frames)

    smoothed, _ = _smooth(frames, painted, strength=0.0)

    for out, fresh in zip(smoothed, painted):
        np.testing.assert_array_equal(out, fresh)


@pytest.mark.parametrize("size", [(1, 1), (5, 7), (9, 40)])
def test_frames_smaller_than_the_flow_patches(size):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, size + (3,), np.uint8)] * 3
    painted = _flickering_paint(frames)

    smoothed, _ = _smooth(frames, painted)

    assert [out.shape for out in smoothed] == [size + (3,)] * 3


@pytest.mark.parametrize("kwargs,message", [
    ({"strength": 1.0}, "strength"), ({"strength": -0.1}, "strength"),
    ({"match_threshold": 0}, "match_threshold")])
def test_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        flow_guided_smoother.FlowGuidedSmoother(**kwargs)
