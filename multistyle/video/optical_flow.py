"""Dense optical flow between video frames, backward warping, reliability.

The flow is OpenCV's DIS (Kroeger et al. 2016, "Fast Optical Flow using
Dense Inverse Search"), in `opencv-python-headless`: a few milliseconds
for a 640x360 frame pair on one CPU core, and deterministic (the same
frames give the same flow bit for bit, whatever OpenCV's thread count).

Flows are HW2 float32 arrays of (dx, dy) in pixels, in OpenCV's
convention: `flow = FlowEstimator()(a, b)` gives `a(x) ~ b(x + flow(x))`, so
`warp(b, flow)` brings frame `b` onto frame `a`'s pixel grid (a backward
warp: every pixel of `a` looks up where it came from).

`reliable` says where such a warp can be trusted, after Sundaram et al.
2010 ("Dense point trajectories by GPU-accelerated large displacement
optical flow") and Ruder et al. 2016 ("Artistic style transfer for
videos"): the flow back and the flow forth must cancel (occluded and
disoccluded pixels fail that), the flow must be smooth (motion
boundaries fail), and the pixel must come from inside the other frame.
"""

import functools

import numpy as np

PRESETS = ("ultrafast", "fast", "medium")
# For filtering: ~6 ms per 640x360 pair on this CPU; "medium" (~60 ms) is
# more accurate, which measurement (`warping_error`) can afford.
DEFAULT_PRESET = "fast"
# Forward-backward consistency (Sundaram et al. 2010): the round trip
# |b + f|^2 may be this share of |b|^2 + |f|^2, plus a constant in px^2.
_CONSISTENCY_SHARE = 0.01
_CONSISTENCY_PX2 = 0.5
# Motion boundaries: |grad u|^2 + |grad v|^2 above this share of |b|^2
# plus a constant.
_BOUNDARY_SHARE = 0.01
_BOUNDARY_CONSTANT = 0.002
_MIN_SIDE = 16  # Pixels; DIS needs frames larger than its 8 px patches.


def opencv():
    """The `cv2` module, imported on first use (only video needs it)."""
    try:
        import cv2
    except ImportError as e:
        raise ImportError(
            "Optical flow needs OpenCV, a multistyle dependency: pip install "
            "opencv-python-headless") from e
    return cv2


def gray(frame):
    """uint8 RGB HWC (or already HW gray) -> uint8 HW luminance."""
    frame = np.ascontiguousarray(frame)
    if frame.dtype != np.uint8:
        raise ValueError(
            "Flow needs uint8 frames in [0, 255]. Received dtype="
            f"{frame.dtype}")
    if frame.ndim == 2:
        return frame
    cv2 = opencv()
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


class FlowEstimator:
    """DIS optical flow with one reusable OpenCV object.

    Args:
        preset: One of `PRESETS`, OpenCV's speed/accuracy settings.

    Call arguments:
        reference: uint8 RGB HWC frame (or HW gray) whose pixel grid the
            flow is on.
        target: The frame the flow points into, same size.

    Returns (of a call):
        HW2 float32 flow: `reference(x) ~ target(x + flow(x))`.

    Example:

    >>> flow = FlowEstimator()(frame_t, frame_t_minus_1)
    >>> previous_on_t = warp(painted_t_minus_1, flow)
    """

    def __init__(self, preset=DEFAULT_PRESET):
        if preset not in PRESETS:
            raise ValueError(f"`preset` must be one of {PRESETS}. "
                             f"Received: preset={preset!r}")
        cv2 = opencv()
        self.preset = preset
        self._dis = cv2.DISOpticalFlow_create(getattr(
            cv2, f"DISOPTICAL_FLOW_PRESET_{preset.upper()}"))

    def __call__(self, reference, target):
        reference, target = gray(reference), gray(target)
        if reference.shape != target.shape:
            raise ValueError(
                "Flow needs two frames of one size. Received: "
                f"{reference.shape} and {target.shape}")
        height, width = reference.shape
        if min(height, width) >= _MIN_SIDE:
            return self._dis.calc(reference, target, None)
        # DIS refuses frames smaller than its patches: pad, then crop.
        cv2 = opencv()
        pad = (0, max(0, _MIN_SIDE - height), 0, max(0, _MIN_SIDE - width))
        reference, target = (cv2.copyMakeBorder(f, *pad, cv2.BORDER_REPLICATE)
                             for f in (reference, target))
        return self._dis.calc(reference, target, None)[:height, :width]


@functools.lru_cache(maxsize=4)
def _grid(height, width):
    """HW2 float32 pixel coordinates (x, y); cached, never written to."""
    grid = np.stack(np.meshgrid(np.arange(width, dtype=np.float32),
                                np.arange(height, dtype=np.float32)), -1)
    grid.flags.writeable = False
    return grid


def warp(image, flow, interpolation="linear"):
    """Backward warp: `out(x) = image(x + flow(x))`.

    Args:
        image: HWC or HW array (uint8 or float32) on the target's grid.
        flow: HW2 float32 flow on the output's grid (see the module
            docstring), same height and width.
        interpolation: `"linear"` or `"cubic"`.

    Returns:
        The warped image, same dtype and shape. Pixels that come from
        outside the image take the nearest edge pixel (`reliable` marks
        them unreliable).
    """
    cv2 = opencv()
    height, width = flow.shape[:2]
    if np.shape(image)[:2] != (height, width):
        raise ValueError(
            "The image and the flow must have one height and width. "
            f"Received: {np.shape(image)[:2]} and {flow.shape[:2]}")
    mode = {"linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}
    warped = cv2.remap(np.ascontiguousarray(image),
                       _grid(height, width) + flow, None,
                       mode[interpolation], borderMode=cv2.BORDER_REPLICATE)
    return warped.reshape(np.shape(image))


def reliable(backward, forward):
    """Where warping the previous frame along `backward` can be trusted.

    Args:
        backward: HW2 flow from the current frame to the previous one
            (`FlowEstimator()(current, previous)`).
        forward: HW2 flow from the previous frame to the current one.

    Returns:
        HW bool array on the current frame's grid: True where the flow
        round trip is consistent, away from motion boundaries, and the
        pixel comes from inside the previous frame.
    """
    cv2 = opencv()
    height, width = backward.shape[:2]
    forward_there = warp(forward, backward)
    round_trip = _squared_length(backward + forward_there)
    lengths = _squared_length(backward) + _squared_length(forward_there)
    consistent = round_trip <= _CONSISTENCY_SHARE * lengths + _CONSISTENCY_PX2
    # Central differences of u and v along x and y.
    variation = (_squared_length(cv2.Sobel(backward, -1, 1, 0, ksize=1,
                                           scale=0.5))
                 + _squared_length(cv2.Sobel(backward, -1, 0, 1, ksize=1,
                                             scale=0.5)))
    smooth = variation <= (_BOUNDARY_SHARE * _squared_length(backward)
                           + _BOUNDARY_CONSTANT)
    source = _grid(height, width) + backward
    inside = ((source[..., 0] >= 0) & (source[..., 0] <= width - 1)
              & (source[..., 1] >= 0) & (source[..., 1] <= height - 1))
    return consistent & smooth & inside


def _squared_length(flow):
    return flow[..., 0] * flow[..., 0] + flow[..., 1] * flow[..., 1]
