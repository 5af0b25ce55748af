"""Optical flow, backward warping, the reliability mask, and the warping
error measure built on them."""

import numpy as np
from PIL import Image
import pytest

from multistyle.video import optical_flow
from multistyle.video import warping_error


def _texture(height=64, width=96, seed=0):
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 6, width // 6, 3), np.uint8)
    return np.asarray(Image.fromarray(small).resize(
        (width, height), Image.Resampling.BICUBIC))


def test_flow_of_a_shifted_frame_is_the_shift():
    wide = _texture(64, 110)
    previous, current = wide[:, 3:99], wide[:, 0:96]  # Moved 3 px right.

    flow = optical_flow.FlowEstimator()(current, previous)

    inner = flow[8:-8, 8:-8]
    # Each pixel of `current` is 3 px to the left in `previous`.
    np.testing.assert_allclose(np.median(inner[..., 0]), -3.0, atol=0.2)
    np.testing.assert_allclose(np.median(inner[..., 1]), 0.0, atol=0.2)


def test_warp_along_a_known_flow_moves_the_image():
    image = _texture()
    flow = np.zeros(image.shape[:2] + (2,), np.float32)
    flow[..., 0], flow[..., 1] = 2.0, -1.0

    warped = optical_flow.warp(image, flow)

    np.testing.assert_array_equal(warped[1:, :-2], image[:-1, 2:])


def test_warp_rejects_a_flow_of_another_size():
    with pytest.raises(ValueError, match="height and width"):
        optical_flow.warp(_texture(), np.zeros((8, 8, 2), np.float32))


def test_flow_rejects_float_frames():
    with pytest.raises(ValueError, match="uint8"):
        optical_flow.FlowEstimator()(np.zeros((16, 16, 3)),
                                     np.zeros((16, 16, 3)))


def test_rejects_unknown_preset():
    with pytest.raises(ValueError, match="preset"):
        optical_flow.FlowEstimator("slowest")


def test_consistent_flows_are_reliable_except_outside_the_frame():
    backward = np.zeros((32, 48, 2), np.float32)
    backward[..., 0] = -2.0  # Everything came from 2 px to the left.
    forward = -backward

    mask = optical_flow.reliable(backward, forward)

    assert not mask[:, :2].any()  # From outside the previous frame.
    assert mask[:, 2:].all()


def test_inconsistent_round_trip_is_unreliable():
    backward = np.zeros((32, 48, 2), np.float32)
    forward = np.zeros((32, 48, 2), np.float32)
    forward[10:20, 10:20, 0] = 5.0  # These pixels went elsewhere.

    mask = optical_flow.reliable(backward, forward)

    assert not mask[12:18, 12:18].any()
    assert mask[25:, :].all()


def test_warping_error_of_a_pan_is_small_for_the_source():
    wide = _texture(64, 120)
    frames = [np.ascontiguousarray(wide[:, 2 * i:2 * i + 96])
              for i in range(4)]
    rng = np.random.default_rng(0)
    noisy = [np.clip(f + rng.normal(0, 20, f.shape), 0, 255)
             .astype(np.uint8) for f in frames]

    flows = warping_error.source_flows(frames)

    assert warping_error.warping_error(frames, flows) < 2.0
    assert warping_error.warping_error(noisy, flows) > 10.0


def test_warping_error_needs_one_flow_per_pair():
    frames = [_texture()] * 3
    with pytest.raises(ValueError, match="one flow per consecutive pair"):
        warping_error.warping_error(frames, warping_error.source_flows(
            frames[:2]))
