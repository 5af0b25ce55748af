"""Flicker reduction that follows the motion: `FlowGuidedSmoother`.

A network that paints every frame on its own paints a slightly different
texture on every frame, wherever the frame changed a little: the video
flickers. Blending each painted frame with the previous output helps
only if the previous output is first moved to where things are now;
otherwise anything that moves leaves a trail (`MotionAwareSmoother` in
`temporal_smoothing` therefore blends only where nothing moves).

This filter does what Ruder et al. 2016 ("Artistic style transfer for
videos") and Chen et al. 2017 ("Coherent online video style transfer")
do around a feed-forward network: dense optical flow between consecutive
*source* frames (`optical_flow`, OpenCV's DIS), a backward warp of the
previous *output* onto the new frame, and a blend

    output_t = painted_t + keep * (warp(output_{t-1}) - painted_t)

with `keep = strength` where the warp is reliable and 0 where it is not:
where the flow round trip fails (occlusions, things appearing), at
motion boundaries, where a pixel comes from outside the frame, and where
the warped previous source frame does not match the new one (a lighting
change, a missed occlusion). The unreliable region is widened by a few
pixels, because the network paints an edge's strokes a few pixels wide.
New content therefore appears at once, painted fresh, and moving things
carry their texture with them instead of leaving it behind. A scene cut
(most of the frame unreliable, or the warped previous frame far from the
new one) resets the filter.

Every step is deterministic: the same frames give the same output.
"""

import numpy as np

from multistyle.video import optical_flow
from multistyle.video import temporal_smoothing

DEFAULT_STRENGTH = 0.8
# Photometric check: mean |source - warped previous source| over RGB, in
# [0, 1] units, at which a pixel stops being blended. Up to half of it
# the pixel is blended fully, then less and less.
DEFAULT_MATCH_THRESHOLD = 0.1
# Pixels the unreliable region grows by on each side.
_MARGIN = 2
# A frame is a scene cut when less than this share of it is reliable...
_CUT_RELIABLE_SHARE = 0.25
# ... or the warped previous source differs from it by this much on average
# ([0, 1] units).
_CUT_DIFFERENCE = 0.2


def _erode(mask, radius):
    """Shrinks the True region of an HW bool mask by `radius` pixels."""
    if radius <= 0:
        return mask
    cv2 = optical_flow.opencv()
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), kernel,
                     borderType=cv2.BORDER_REPLICATE).astype(bool)


def _mean_absolute_difference(a, b):
    """HW float32 mean over RGB of |a - b|, uint8 frames, [0, 1] units."""
    difference = optical_flow.opencv().absdiff(a, b)
    return np.add.reduce(difference, axis=-1, dtype=np.float32) / 765.0


class FlowGuidedSmoother:
    """Blends each stylized frame with the previous output moved along
    the source's optical flow (see the module docstring).

    Args:
        strength: At most this much of the (warped) previous output is
            kept, in [0, 1); 0 turns the filter off. The flicker left is
            about `1 - strength` of the unfiltered flicker.
        match_threshold: Mean absolute difference (RGB, [0, 1] units)
            between a source pixel and its warped predecessor at which
            the pixel counts as mismatched and is not blended (up to half
            of it, it is blended fully).

    Call arguments:
        source: The source frame, uint8 RGB, HWC.
        stylized: Its stylization, float32 RGB in [0, 1], HWC, the
            source's size.

    Returns (of a call):
        The smoothed frame, float32 RGB in [0, 1], HWC. The first frame,
        a frame of a new size and a scene cut pass through.

    Example:

    >>> smoother = FlowGuidedSmoother(strength=0.8)
    >>> smoothed = [smoother(src, out) for src, out in zip(frames, painted)]
    """

    def __init__(self, strength=DEFAULT_STRENGTH,
                 match_threshold=DEFAULT_MATCH_THRESHOLD):
        temporal_smoothing.check_arguments(strength,
                                           match_threshold=match_threshold)
        self.strength = strength
        self.match_threshold = match_threshold
        self._flow = None  # Built on first use: it imports OpenCV.
        self._source = None
        self._output = None
        self.cuts = 0  # Scene cuts seen so far.

    def reset(self):
        """Forgets the previous frame, e.g. at a cut."""
        self._source = None
        self._output = None

    def keep_weights(self, source):
        """Per-pixel share of the warped previous output, HW1 float32,
        and that output warped onto `source`; None, None at a scene cut.
        Needs a previous frame of the same size."""
        if self._flow is None:
            self._flow = optical_flow.FlowEstimator()
        backward = self._flow(source, self._source)
        forward = self._flow(self._source, source)
        trusted = optical_flow.reliable(backward, forward)
        previous_source = optical_flow.warp(self._source, backward)
        mismatch = _mean_absolute_difference(source, previous_source)
        if (trusted.mean() < _CUT_RELIABLE_SHARE
                or mismatch.mean() > _CUT_DIFFERENCE):
            return None, None
        keep = np.clip(2.0 * (1.0 - mismatch / self.match_threshold),
                       0.0, 1.0)
        keep *= _erode(trusted, _MARGIN)
        # Cubic: a linear warp, repeated frame after frame, blurs the
        # strokes visibly.
        warped = optical_flow.warp(self._output, backward, "cubic")
        return (self.strength * keep)[..., None].astype(np.float32), warped

    def __call__(self, source, stylized):
        stylized = np.asarray(stylized, np.float32)
        output = stylized
        if (self.strength > 0 and self._source is not None
                and self._source.shape == source.shape):
            keep, warped = self.keep_weights(source)
            if keep is None:
                self.cuts += 1
            else:
                output = stylized + keep * (np.clip(warped, 0, 1) - stylized)
        self._source = np.array(source, np.uint8)  # A copy of our own.
        self._output = output
        return output
