"""Temporal stability of stylized video: a flicker measure and a filter.

A feed-forward stylization network paints every frame on its own, so small
changes between frames (sensor noise, compression, an object moving
elsewhere, which shifts the instance norm statistics) change the painted
texture everywhere: the video flickers. `flicker_ratio` measures it as the
mean absolute change between consecutive stylized frames relative to the
same measure of the source frames (1: the stylization moves as much as the
video; above 1 it adds motion of its own).

`MotionAwareSmoother` reduces it without ghosting: each output pixel is a
blend of the new stylized frame and the previous output, weighted towards
the previous output only where the *source* did not change (the change is
averaged over small blocks, so noise does not count as motion, and dilated,
so the edges of moving things count). Where the source changed, the new
frame passes through, so moving objects leave no trails and cuts are
immediate. Static regions become a running average of their stylization.
With keyframed styles a static region follows a style change with a lag
of about `strength / (1 - strength)` frames.
"""

import numpy as np

from multistyle.io import image_io

DEFAULT_STRENGTH = 0.8
DEFAULT_THRESHOLD = 0.04
_BLOCK = 4  # Pixels per side of the blocks the change is averaged over.
_DILATION = 2  # Blocks a change spreads to on each side.


def _unit(frame):
    """uint8 [0, 255] -> float32 [0, 1]; float frames are taken as [0, 1]."""
    frame = np.asarray(frame)
    if frame.dtype == np.uint8:
        return image_io.to_float(frame)
    return frame.astype(np.float32)


def frame_change(previous, current):
    """Mean absolute difference of two frames, in [0, 1] units (uint8
    frames are scaled from [0, 255])."""
    return float(np.mean(np.abs(_unit(current) - _unit(previous))))


def flicker_ratio(sources, stylized):
    """How much more the stylized frames change than the source frames.

    Args:
        sources: Sequence of source frames, HWC: uint8 in [0, 255] or
            float in [0, 1].
        stylized: The stylized frames, same count and shape, likewise.

    Returns:
        Mean over consecutive pairs of the mean absolute change of the
        stylized frames, divided by that of the source frames.

    Raises:
        ValueError: On fewer than two frames, different counts, or a source
            that never changes.
    """
    if len(sources) != len(stylized) or len(sources) < 2:
        raise ValueError(
            "Need two or more frames and as many stylized as source frames."
            f" Received: {len(sources)} and {len(stylized)}.")
    source = np.mean([frame_change(a, b)
                      for a, b in zip(sources, sources[1:])])
    if source == 0:
        raise ValueError("The source frames never change; flicker ratio is "
                         "undefined.")
    painted = np.mean([frame_change(a, b)
                       for a, b in zip(stylized, stylized[1:])])
    return float(painted / source)


def _block_mean(change, block):
    height, width = change.shape
    pad_h, pad_w = -height % block, -width % block
    change = np.pad(change, ((0, pad_h), (0, pad_w)), mode="edge")
    return change.reshape(change.shape[0] // block, block,
                          change.shape[1] // block, block).mean(axis=(1, 3))


def _dilate(values, radius):
    """Maximum over a (2 radius + 1)^2 neighbourhood, edges replicated."""
    for axis in (0, 1):
        padded = np.pad(values, [(radius, radius) if a == axis else (0, 0)
                                 for a in (0, 1)], mode="edge")
        size = values.shape[axis]
        values = np.max([np.take(padded, range(i, i + size), axis=axis)
                         for i in range(2 * radius + 1)], axis=0)
    return values


def check_arguments(strength, **thresholds):
    """Raises ValueError unless a smoother's `strength` is in [0, 1) and
    each of its `thresholds` (by name) is positive."""
    if not 0.0 <= strength < 1.0:
        raise ValueError(
            f"`strength` must be in [0, 1). Received: strength={strength}")
    for name, value in thresholds.items():
        if not value > 0:
            raise ValueError(
                f"`{name}` must be positive. Received: {name}={value}")


class MotionAwareSmoother:
    """Blends each stylized frame with the previous output where the
    source is static (see the module docstring).

    Args:
        strength: At most this much of the previous output is kept, in
            [0, 1); 0 turns the filter off.
        threshold: Source change (mean absolute difference over a 4x4
            block, in [0, 1] units) at and above which a pixel counts as
            moving and is not blended; below it the blend fades in
            linearly.

    Call arguments:
        source: The source frame, uint8 RGB, HWC.
        stylized: Its stylization, float32 RGB in [0, 1], HWC.

    Returns (of a call):
        The smoothed frame, float32 RGB in [0, 1], HWC. The first frame
        (and any frame of a new size) passes through.

    Example:

    >>> smoother = MotionAwareSmoother(strength=0.8)
    >>> smoothed = [smoother(src, out) for src, out in zip(frames, painted)]
    """

    def __init__(self, strength=DEFAULT_STRENGTH,
                 threshold=DEFAULT_THRESHOLD):
        check_arguments(strength, threshold=threshold)
        self.strength = strength
        self.threshold = threshold
        self._source = None
        self._output = None

    def reset(self):
        """Forgets the previous frame, e.g. at a cut."""
        self._source = None
        self._output = None

    def keep_weights(self, source):
        """Per-pixel share of the previous output, HW1 float32."""
        source = image_io.to_float(source)
        change = np.abs(source - self._source).mean(axis=-1)
        change = _dilate(_block_mean(change, _BLOCK), _DILATION)
        keep = self.strength * np.clip(1.0 - change / self.threshold, 0, 1)
        keep = np.repeat(np.repeat(keep, _BLOCK, axis=0), _BLOCK, axis=1)
        return keep[:source.shape[0], :source.shape[1], None]

    def __call__(self, source, stylized):
        stylized = np.asarray(stylized, np.float32)
        if (self.strength == 0 or self._source is None
                or self._source.shape != source.shape):
            output = stylized
        else:
            keep = self.keep_weights(source)
            output = stylized + keep * (self._output - stylized)
        self._source = image_io.to_float(source)
        self._output = output
        return output
