"""How the styles are picked: a mix, one style, masks or keyframes.

Every tool that paints (multistyle-stylize, multistyle-video, the
server's `/v1/stylize`, `Stylizer.weights`) takes the styles in one of
four ways, at most one at a time:

- `weights`: a mix, one value per style or `name=value` pairs
  (`style_weights.parse`);
- `style`: a single style, by name or index;
- `mask` with `mask_styles`: regions painted in different styles
  (`style_masks`); each needs the other;
- `keyframes`: mixes that change over time (video only; inference does not
  import video, so `video.keyframes.parse` reads them).

Given none, they paint the first style. `resolve` holds these rules in
one place and parses what it can. Its errors name the arguments as data
(`StyleChoiceError.arguments`), so each tool writes them its own way:
`--mask` on the command line, `` `mask` `` in the HTTP API.
"""

import dataclasses

import numpy as np

from multistyle import errors
from multistyle.inference import style_masks
from multistyle.inference import style_weights

# The ways to pick the styles, in the order errors name them.
ARGUMENTS = ("weights", "style", "mask", "keyframes")


class StyleChoiceError(errors.ArgumentError):
    """Style arguments that do not go together, named as data.

    Example:

    >>> error = StyleChoiceError("Give either {weights} or {style}, not "
    ...                          "both.", ("weights", "style"))
    >>> error.message(lambda name: f"--{name}")
    'Give either --weights or --style, not both.'
    """


@dataclasses.dataclass(frozen=True)
class StyleChoice:
    """The styles picked, and how.

    Attributes:
        argument: The way they were picked, one of `ARGUMENTS`; None when
            none was given (the first style).
        weights: The float32 weight vector `(num_styles,)` of `weights`,
            `style` or the default; None for `mask` and `keyframes`.
        mask_mixes: For `mask`: the float32 weight vector of each mask
            region, in mask order (`style_masks.parse_styles`); else None.
    """

    argument: str | None
    weights: np.ndarray | None = None
    mask_mixes: list | None = None


def _given(value):
    """None, a blank string and an empty list all mean "not given"."""
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, tuple)):
        return any(_given(item) for item in value)
    return value is not None


def _conflict(given):
    fields = [f"{{{name}}}" for name in given]
    if len(fields) == 2:
        template = f"Give either {fields[0]} or {fields[1]}, not both."
    else:
        template = (f"Give only one of {', '.join(fields[:-1])} and "
                    f"{fields[-1]}.")
    return StyleChoiceError(template, given)


def resolve(style_names, weights=None, style=None, mask=None,
            mask_styles=None, keyframes=None, normalize=True):
    """The styles picked by at most one of the four ways.

    Args:
        style_names: The model's style names, in order.
        weights: A mix for `style_weights.parse`, or None.
        style: A single style's name or index, or None.
        mask: The style mask(s) in any form (paths, bytes): only whether
            it is given counts here; the caller reads it.
        mask_styles: With `mask`: each region's style or mix, for
            `style_masks.parse_styles`.
        keyframes: A keyframe spec: only whether it is given counts here
            (`video.keyframes.parse` reads it).
        normalize: Scale each mix to sum to 1 (see `style_weights.parse`).

    None, a blank string and an empty list mean "not given".

    Returns:
        A `StyleChoice`.

    Raises:
        StyleChoiceError: If `mask` or `mask_styles` comes without the
            other, or more than one way is given (naming each of them).
        ValueError: If the weights, the style or the mask styles are bad
            (the message lists the valid names).

    Example:

    >>> resolve(["starry_night", "great_wave"], style="great_wave").weights
    array([0., 1.], dtype=float32)
    """
    if _given(mask_styles) and not _given(mask):
        raise StyleChoiceError("{mask_styles} needs {mask} (the mask images).",
                               ("mask_styles", "mask"))
    if _given(mask) and not _given(mask_styles):
        raise StyleChoiceError(
            "{mask} needs {mask_styles}: the style of each mask region, "
            "e.g. {mask_styles}=starry_night,great_wave.",
            ("mask", "mask_styles"))
    values = dict(weights=weights, style=style, mask=mask,
                  keyframes=keyframes)
    given = [name for name in ARGUMENTS if _given(values[name])]
    if len(given) > 1:
        raise _conflict(given)
    argument = given[0] if given else None
    if argument == "weights":
        return StyleChoice(argument, weights=style_weights.parse(
            weights, style_names, normalize=normalize))
    if argument == "mask":
        return StyleChoice(argument, mask_mixes=style_masks.parse_styles(
            mask_styles, style_names, normalize=normalize))
    if argument == "keyframes":
        return StyleChoice(argument)
    return StyleChoice(argument, weights=style_weights.one_hot(
        style if argument else 0, style_names))
