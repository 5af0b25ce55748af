"""The one resolver of weights / style / mask / keyframes."""

import itertools

import numpy as np
import pytest

from multistyle.inference import style_choice

NAMES = ["starry_night", "great_wave", "composition_vii"]
# One valid value for each way to pick the styles (`mask_styles` comes
# with `mask`).
_GIVEN = {"weights": dict(weights="1,0,3"), "style": dict(style="great_wave"),
          "mask": dict(mask=["m.png"], mask_styles="great_wave,0"),
          "keyframes": dict(keyframes="0:great_wave;2:starry_night")}


def test_none_given_picks_the_first_style():
    choice = style_choice.resolve(NAMES)

    assert choice.argument is None and choice.mask_mixes is None
    np.testing.assert_array_equal(choice.weights, [1, 0, 0])


@pytest.mark.parametrize("blank", [None, "", " ", []])
def test_blank_values_count_as_not_given(blank):
    choice = style_choice.resolve(NAMES, weights=blank, style=blank,
                                  mask=blank, mask_styles=blank,
                                  keyframes=blank)

    assert choice.argument is None


def test_weights_alone_give_the_parsed_mix():
    choice = style_choice.resolve(NAMES, **_GIVEN["weights"])

    assert choice.argument == "weights"
    np.testing.assert_allclose(choice.weights, [0.25, 0, 0.75])


def test_weights_follow_normalize():
    choice = style_choice.resolve(NAMES, normalize=False,
                                  **_GIVEN["weights"])

    np.testing.assert_array_equal(choice.weights, [1, 0, 3])


@pytest.mark.parametrize("style", ["great_wave", "1", 1])
def test_style_alone_gives_its_one_hot_vector(style):
    choice = style_choice.resolve(NAMES, style=style)

    assert choice.argument == "style"
    np.testing.assert_array_equal(choice.weights, [0, 1, 0])


def test_mask_alone_gives_the_mix_of_each_region():
    choice = style_choice.resolve(NAMES, **_GIVEN["mask"])

    assert choice.argument == "mask" and choice.weights is None
    np.testing.assert_array_equal(np.stack(choice.mask_mixes),
                                  [[0, 1, 0], [1, 0, 0]])


def test_mask_is_only_checked_for_presence():
    choice = style_choice.resolve(NAMES, mask=b"", mask_styles="0,1")

    assert choice.argument == "mask"


def test_keyframes_alone_are_left_to_the_caller():
    choice = style_choice.resolve(NAMES, **_GIVEN["keyframes"])

    assert choice == style_choice.StyleChoice("keyframes")


@pytest.mark.parametrize(
    "first, second", list(itertools.combinations(style_choice.ARGUMENTS, 2)))
def test_two_given_is_an_error_naming_both(first, second):
    with pytest.raises(style_choice.StyleChoiceError) as error:
        style_choice.resolve(NAMES, **_GIVEN[first], **_GIVEN[second])

    assert error.value.arguments == (first, second)
    assert str(error.value) == (f"Give either `{first}` or `{second}`, not "
                                "both.")


def test_more_than_two_given_names_them_all():
    with pytest.raises(style_choice.StyleChoiceError,
                       match="Give only one of `weights`, `style` and "
                             "`keyframes`."):
        style_choice.resolve(NAMES, **_GIVEN["weights"], **_GIVEN["style"],
                             **_GIVEN["keyframes"])


def test_mask_styles_without_mask_is_an_error():
    with pytest.raises(style_choice.StyleChoiceError,
                       match="`mask_styles` needs `mask`") as error:
        style_choice.resolve(NAMES, mask_styles="0,1")

    assert error.value.arguments == ("mask_styles", "mask")


def test_mask_without_mask_styles_is_an_error():
    with pytest.raises(style_choice.StyleChoiceError,
                       match="`mask` needs `mask_styles`"):
        style_choice.resolve(NAMES, mask=["m.png"])


def test_errors_can_name_the_arguments_as_flags():
    with pytest.raises(style_choice.StyleChoiceError) as error:
        style_choice.resolve(NAMES, weights="1,0,0", style="udnie")

    assert error.value.message(lambda name: f"--{name}") == \
        "Give either --weights or --style, not both."


def test_a_bad_single_choice_raises_the_parsers_error():
    with pytest.raises(ValueError, match="Did you mean 'great_wave'"):
        style_choice.resolve(NAMES, mask=["m.png"],
                             mask_styles="great_wav,0")
