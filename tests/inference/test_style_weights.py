import numpy as np
import pytest

from multistyle.inference import style_weights

NAMES = ["starry_night", "great_wave", "composition_vii"]


def test_vector_is_normalized_to_sum_one():
    np.testing.assert_allclose(style_weights.parse("2,1,1", NAMES),
                               [0.5, 0.25, 0.25])


def test_vector_kept_as_given_without_normalization():
    np.testing.assert_allclose(
        style_weights.parse("2,1,1", NAMES, normalize=False), [2, 1, 1])


def test_names_give_the_same_vector_as_values():
    by_name = style_weights.parse("starry_night=0.7,great_wave=0.3", NAMES)
    np.testing.assert_allclose(by_name,
                               style_weights.parse("0.7,0.3,0", NAMES))


def test_named_weights_accept_indices_and_list_flag_form():
    np.testing.assert_allclose(
        style_weights.parse(["2=1", " starry_night = 3 "], NAMES),
        [0.75, 0, 0.25])


def test_one_hot_vector_equals_single_style():
    np.testing.assert_array_equal(style_weights.parse("0,1,0", NAMES),
                                  style_weights.one_hot("great_wave", NAMES))
    np.testing.assert_array_equal(style_weights.one_hot("1", NAMES),
                                  style_weights.one_hot("great_wave", NAMES))


def test_style_names_match_ignoring_case():
    assert style_weights.style_index("Great_Wave", NAMES) == 1


def test_rejects_unknown_name_listing_valid_ones():
    with pytest.raises(ValueError, match="Unknown style 'starry_nite'.*"
                       "Did you mean 'starry_night'.*composition_vii"):
        style_weights.parse("starry_nite=1", NAMES)


def test_rejects_out_of_range_index():
    with pytest.raises(ValueError, match="out of range.*3 styles"):
        style_weights.one_hot(3, NAMES)


def test_rejects_wrong_number_of_values():
    with pytest.raises(ValueError, match="Expected 3 style weights.*got 2"):
        style_weights.parse("0.5,0.5", NAMES)


@pytest.mark.parametrize("spec,message", [
    ("1,-0.5,0", ">= 0"),
    ("nan,1,0", "finite"),
    ("1,inf,0", "finite"),
    ("0,0,0", "all zero"),
    ("great_wave=-1", ">= 0"),
    ("great_wave=abc", "must be a number"),
])
def test_rejects_bad_values(spec, message):
    with pytest.raises(ValueError, match=message):
        style_weights.parse(spec, NAMES)


def test_rejects_name_given_twice():
    with pytest.raises(ValueError, match="more than once"):
        style_weights.parse("great_wave=1,1=2", NAMES)


def test_rejects_mixed_values_and_names():
    with pytest.raises(ValueError, match="not both"):
        style_weights.parse("0.5,great_wave=0.5", NAMES)


def test_does_not_mutate_the_callers_vector():
    weights = np.array([2.0, 2.0, 0.0])
    style_weights.parse(weights, NAMES)
    np.testing.assert_array_equal(weights, [2, 2, 0])
