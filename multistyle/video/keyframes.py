"""Style mixes that change over time: keyframes, eased between.

A keyframe spec lists times (seconds) and the mix to show at each,
separated by semicolons; each mix uses the syntax of `style_weights`
(a single style name or index, or `name=value` pairs):

    0:starry_night; 4.5:great_wave; 9:starry_night=0.5,great_wave=0.5

Before the first keyframe its mix holds, after the last the last one's.
Between two keyframes the weights move from one mix to the next along a
smoothstep curve (`3s^2 - 2s^3`), so the change starts and ends gently and
each keyframe's frame shows exactly its mix.
"""

import bisect
import collections
import math

import numpy as np

from multistyle.inference import style_weights

Keyframe = collections.namedtuple("Keyframe", ["time", "weights"])
Keyframe.__doc__ = """A mix of styles to reach at `time` seconds.

Attributes:
    time: Seconds from the start of the video, >= 0.
    weights: float32 weight vector, one value per style.
"""

_EXAMPLE = "0:starry_night;4.5:great_wave;9:starry_night=0.5,great_wave=0.5"


def parse(spec, style_names, normalize=True):
    """Parses a keyframe spec into keyframes sorted by time.

    Args:
        spec: `"TIME:MIX;TIME:MIX;..."`; see the module docstring.
        style_names: The model's style names, in order.
        normalize: Scale each mix to sum to 1 (see `style_weights.parse`).

    Returns:
        A list of `Keyframe`, sorted by time.

    Raises:
        ValueError: On an empty spec, an entry without `TIME:`, a time that
            is not a non-negative number, a time given twice, or a bad mix
            (the message names the keyframe).

    Example:

    >>> parse("0:starry_night;2:great_wave", ["starry_night", "great_wave"])
    [Keyframe(time=0.0, weights=array([1., 0.], dtype=float32)),
     Keyframe(time=2.0, weights=array([0., 1.], dtype=float32))]
    """
    entries = [e.strip() for e in str(spec).split(";")]
    if entries and entries[-1] == "":  # Tolerate one trailing semicolon.
        entries.pop()
    if not entries:
        raise ValueError(
            f"No keyframes given; expected TIME:MIX entries separated by "
            f"semicolons, e.g. '{_EXAMPLE}'.")
    keyframes = []
    for entry in entries:
        time_text, sep, mix = entry.partition(":")
        if not sep or not mix.strip():
            raise ValueError(
                f"Keyframe '{entry}' must be TIME:MIX (seconds, a colon, "
                f"then a style or mix), e.g. '{_EXAMPLE}'.")
        try:
            time = float(time_text)
        except ValueError:
            time = math.nan
        if not (math.isfinite(time) and time >= 0):
            raise ValueError(
                f"Keyframe '{entry}': the time must be a number of seconds "
                f">= 0. Received: {time_text.strip()!r}")
        try:
            weights = style_weights.parse_mix(mix, style_names,
                                              normalize=normalize)
        except ValueError as e:
            raise ValueError(f"Keyframe '{entry}': {e}") from e
        keyframes.append(Keyframe(time, weights))
    keyframes.sort(key=lambda k: k.time)
    for before, after in zip(keyframes, keyframes[1:]):
        if before.time == after.time:
            raise ValueError(
                f"Two keyframes at {after.time:g} s; give each time once.")
    return keyframes


def smoothstep(s):
    """`3s^2 - 2s^3` of `s` clipped to [0, 1]: 0 at 0, 1 at 1, flat ends."""
    s = min(max(float(s), 0.0), 1.0)
    return s * s * (3.0 - 2.0 * s)


def weights_at(keyframes, time):
    """The style weights at `time` seconds.

    Args:
        keyframes: Keyframes sorted by time, as `parse` returns them.
        time: Seconds from the start.

    Returns:
        A float32 weight vector: a keyframe's own weights at its time and
        before the first / after the last keyframe, smoothstep-eased
        between two keyframes.
    """
    if not keyframes:
        raise ValueError("No keyframes given.")
    times = [k.time for k in keyframes]
    i = bisect.bisect_right(times, time) - 1
    if i < 0:
        return keyframes[0].weights
    if i == len(keyframes) - 1:
        return keyframes[-1].weights
    start, end = keyframes[i], keyframes[i + 1]
    s = smoothstep((time - start.time) / (end.time - start.time))
    mixed = ((1.0 - s) * start.weights.astype(np.float64)
             + s * end.weights.astype(np.float64))
    return mixed.astype(np.float32)
