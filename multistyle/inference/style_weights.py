"""Style weight vectors from what users type: a mix of a model's styles.

A model that paints `N` styles takes one weight per style (row `i` of every
gamma/beta table is style `i` of `styles.json`). Users say which mix they
want in one of three ways:

- a vector with exactly one value per style: `"0.5,0.5,0"`;
- names (or indices) with values, the other styles get 0:
  `"starry_night=0.7,great_wave=0.3"`;
- a single style by name or index: `style="great_wave"` or `style=1`.

Weights must be finite, non-negative and not all zero. By default they are
normalized to sum to 1, so `"2,1,1"` is the same mix as `"0.5,0.25,0.25"`.
"""

import difflib
import math

import numpy as np

from multistyle.model_folder import style_set


def _as_entries(spec):
    """Splits a comma-separated string (or a list of them) into entries."""
    if isinstance(spec, str):
        spec = spec.split(",")
    entries = []
    for item in spec:
        if isinstance(item, str):
            entries.extend(part.strip() for part in item.split(","))
        else:
            entries.append(item)
    if entries and entries[-1] == "":  # Tolerate one trailing comma.
        entries.pop()
    return entries


def _parse_value(text, what):
    if isinstance(text, str) and text.strip() == "":
        raise ValueError(f"Empty style weight for {what}; write e.g. "
                         f"{what}=0.5.")
    try:
        return float(text)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"Style weight for {what} must be a number. Received: "
            f"{text!r}") from e


def style_index(style, style_names):
    """Returns the index of a style given by name or index.

    Args:
        style: A style name from `styles.json` (matched exactly, then
            ignoring case), or its index as an int or a digit string.
        style_names: The model's style names, in order.

    Returns:
        The style's index in `style_names`.

    Raises:
        ValueError: If no style has that name or the index is out of range.
            The message lists the valid names.
    """
    num_styles = len(style_names)
    if isinstance(style, (int, np.integer)) or (
            isinstance(style, str) and style_set.is_index(style)):
        index = int(style)
        if not 0 <= index < num_styles:
            raise ValueError(
                f"Style index {index} is out of range: this model has "
                f"{num_styles} styles (0 to {num_styles - 1}): "
                f"{', '.join(style_names)}.")
        return index
    name = str(style).strip()
    if name in style_names:
        return list(style_names).index(name)
    lowered = [n.lower() for n in style_names]
    if name.lower() in lowered:
        return lowered.index(name.lower())
    close = difflib.get_close_matches(name, list(style_names), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"Unknown style '{name}'.{hint} This model's styles are: "
        f"{', '.join(style_names)}.")


def _check(weights, style_names, normalize):
    """Validates a float vector and normalizes it if asked."""
    for i, w in enumerate(weights):
        if math.isnan(w) or math.isinf(w):
            raise ValueError(
                f"Style weights must be finite numbers; style "
                f"'{style_names[i]}' got {w}.")
        if w < 0:
            raise ValueError(
                f"Style weights must be >= 0; style '{style_names[i]}' got "
                f"{w}.")
    total = float(np.sum(np.asarray(weights, np.float64)))
    if total <= 0:
        raise ValueError(
            "Style weights are all zero: give at least one style a positive "
            "weight.")
    weights = np.asarray(weights, np.float64)
    if normalize:
        weights = weights / total
    return weights.astype(np.float32)


def parse(spec, style_names, normalize=True):
    """Parses a style mix into a weight vector.

    Args:
        spec: A string such as `"0.5,0.5,0"` (one value per style) or
            `"starry_night=0.7,great_wave=0.3"` (names or indices with
            values; unnamed styles get 0), a list of such entries (as an
            absl list flag gives), or a sequence of numbers.
        style_names: The model's style names, in order.
        normalize: Scale the weights to sum to 1. If False they are used as
            given (a sum above 1 exaggerates the mix).

    Returns:
        A float32 numpy array of shape `(len(style_names),)`.

    Raises:
        ValueError: On an unknown name, a wrong number of values, a value
            given twice, mixed forms, or weights that are negative, NaN,
            infinite or all zero.

    Example:

    >>> parse("starry_night=3,great_wave=1", ["starry_night", "great_wave"])
    array([0.75, 0.25], dtype=float32)
    """
    style_names = list(style_names)
    num_styles = len(style_names)
    entries = _as_entries(spec)
    if not entries:
        raise ValueError(
            f"No style weights given; expected {num_styles} values (one per "
            f"style: {', '.join(style_names)}) or name=value pairs.")
    named = [isinstance(e, str) and "=" in e for e in entries]
    if any(named) and not all(named):
        raise ValueError(
            "Give either one value per style or name=value pairs, not both. "
            f"Received: {','.join(str(e) for e in entries)}")
    if all(named):
        weights = [0.0] * num_styles
        seen = set()
        for entry in entries:
            key, value = (part.strip() for part in entry.split("=", 1))
            index = style_index(key, style_names)
            if index in seen:
                raise ValueError(
                    f"Style '{style_names[index]}' is given more than once "
                    "in the style weights.")
            seen.add(index)
            weights[index] = _parse_value(value, style_names[index])
    else:
        if len(entries) != num_styles:
            raise ValueError(
                f"Expected {num_styles} style weights (one per style: "
                f"{', '.join(style_names)}), got {len(entries)}: "
                f"{','.join(str(e) for e in entries)}. Or use name=value "
                "pairs, or pick a single style by name.")
        weights = [_parse_value(e, style_names[i])
                   for i, e in enumerate(entries)]
    return _check(weights, style_names, normalize)


def one_hot(style, style_names):
    """The weight vector of a single style, given by name or index."""
    weights = np.zeros(len(style_names), np.float32)
    weights[style_index(style, style_names)] = 1.0
    return weights


def parse_mix(spec, style_names, normalize=True):
    """A single style (name or index) or a mix for `parse`, as a vector.

    For places where a mix is one item of a longer spec (video keyframes,
    style masks): `"great_wave"` is that style alone, `"great_wave=1,
    starry_night=1"` or `"0.5,0.5,0"` a mix.

    Raises:
        ValueError: As `style_index` or `parse`.
    """
    entries = _as_entries(spec)
    if len(entries) == 1 and not (isinstance(entries[0], str)
                                  and "=" in entries[0]):
        return one_hot(entries[0], style_names)
    return parse(entries, style_names, normalize=normalize)


def spread(weights, styles, num_styles):
    """`weights` of the styles `styles` (indices, the last axis; None:
    all, as they are) spread over all `num_styles`, the others 0."""
    if styles is None:
        return weights
    spread_weights = np.zeros(np.shape(weights)[:-1] + (num_styles,),
                              np.float32)
    spread_weights[..., list(styles)] = weights
    return spread_weights
