"""Temporal consistency of a stylized video: warping error and ghosting.

The temporal warping error of Lai et al. 2018 ("Learning Blind Video
Temporal Consistency", eq. 7) asks how much a processed frame differs
from the previous processed frame moved along the *source's* motion:

    E_warp = mean over t of  sum_x M_t(x) |O_t(x) - warp(O_{t-1})(x)|
                             / sum_x M_t(x)

where the flow is estimated on the source frames t -> t-1 and M_t keeps
the pixels whose flow is reliable (`optical_flow.reliable`: consistent
forward and backward, off motion boundaries). Lai et al. use squared
differences of [0, 1] images; here it is the mean absolute difference
in uint8 levels, which reads directly. For the source video itself it is
the floor that flow error and noise leave (a few levels).

The flow here is DIS at its "medium" preset: ten times slower and more
accurate than the "fast" one `FlowGuidedSmoother` filters with (on the
benchmark clips it leaves the source a lower warping error than
Farneback's flow does), so a filter is not judged by the very flow field
it was built on. `farneback_flow`, a different algorithm altogether, is
there to cross-check.

Smoothing can hide flicker by keeping old paint where things moved
(ghosting); `ghosting` measures it as the mean absolute difference
between a filtered video and the per-frame painting inside given
regions (moving or newly uncovered pixels): 0 means the filter left those
pixels as the network painted them.
"""

import numpy as np

from multistyle.video import optical_flow

METRIC_PRESET = "medium"


def farneback_flow(reference, target):
    """Farneback flow, `reference(x) ~ target(x + flow(x))`, HW2 float32.

    Args:
        reference, target: uint8 RGB HWC frames (or HW gray) of one size.
    """
    cv2 = optical_flow.opencv()
    return cv2.calcOpticalFlowFarneback(
        optical_flow.gray(reference), optical_flow.gray(target), None,
        pyr_scale=0.5, levels=5, winsize=15, iterations=3, poly_n=5,
        poly_sigma=1.2, flags=0)


def source_flows(sources, flow=None):
    """For each consecutive pair of sources: `(backward, reliable mask)`.

    Args:
        sources: Sequence of uint8 RGB HWC frames, two or more.
        flow: `flow(reference, target)` -> HW2 flow; default DIS at its
            "medium" preset (see the module docstring).

    Returns:
        A list, one entry per frame after the first: the flow from frame
        t to frame t-1 and the HW bool mask where it is reliable.
    """
    if len(sources) < 2:
        raise ValueError(
            f"Need two or more frames. Received: {len(sources)}")
    if flow is None:
        flow = optical_flow.FlowEstimator(METRIC_PRESET)
    pairs = []
    for previous, current in zip(sources, sources[1:]):
        backward = flow(current, previous)
        forward = flow(previous, current)
        pairs.append((backward, optical_flow.reliable(backward, forward)))
    return pairs


def _levels(frame):
    frame = np.asarray(frame)
    if frame.dtype == np.uint8:
        return frame.astype(np.float32)
    return frame.astype(np.float32) * 255.0


def warping_error(frames, flows):
    """Mean temporal warping error of `frames`, in uint8 levels.

    Args:
        frames: Sequence of HWC frames: uint8 in [0, 255] or float in
            [0, 1] (the sources themselves, or their stylization).
        flows: `source_flows(sources)` of the source frames.

    Returns:
        The mean over consecutive pairs of the mean absolute difference
        between frame t and frame t-1 warped to t, over reliable pixels.

    Raises:
        ValueError: If the counts do not match.
    """
    if len(flows) != len(frames) - 1:
        raise ValueError(
            f"Need one flow per consecutive pair: {len(frames) - 1} for "
            f"{len(frames)} frames. Received: {len(flows)}")
    errors = []
    for (backward, mask), previous, current in zip(flows, frames,
                                                   frames[1:]):
        if not mask.any():
            continue
        warped = optical_flow.warp(_levels(previous), backward)
        errors.append(float(np.abs(_levels(current) - warped)
                            .mean(-1)[mask].mean()))
    return float(np.mean(errors)) if errors else 0.0


def ghosting(frames, reference, regions):
    """Mean |frames - reference| inside per-frame regions, uint8 levels.

    Args:
        frames: The filtered frames (uint8, or float in [0, 1]), HWC.
        reference: The per-frame painting, same count and shapes.
        regions: HW bool masks, one per frame (frames without any True
            pixel are skipped).
    """
    values = [np.abs(_levels(a) - _levels(b)).mean(-1)[m].mean()
              for a, b, m in zip(frames, reference, regions) if m.any()]
    return float(np.mean(values)) if values else 0.0
