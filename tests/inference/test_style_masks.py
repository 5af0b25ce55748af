"""Style masks: weight maps, and masks on photos (Stylizer, CLI)."""

import numpy as np
from PIL import Image
import pytest

from multistyle.inference import style_masks
from multistyle.inference import stylizer as stylizer_lib
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import write_image

EYE = np.eye(3, dtype=np.float32)


def _left_half_mask(path, height=32, width=48):
    mask = np.zeros((height, width), np.uint8)
    mask[:, :width // 2] = 255
    Image.fromarray(mask).save(path)
    return str(path)


@pytest.fixture(scope="module")
def stylizer(model_dir):
    return stylizer_lib.Stylizer(model_dir)


def test_single_mask_paints_first_style_white_second_black():
    mask = np.array([[1.0, 0.0, 0.25]])

    weights = style_masks.weight_map([mask], [EYE[0], EYE[2]])

    np.testing.assert_allclose(weights[0], [[1, 0, 0], [0, 0, 1],
                                            [0.25, 0, 0.75]])


def test_several_masks_are_normalized_per_pixel():
    a = np.array([[1.0, 0.5, 0.0]])
    b = np.array([[0.0, 1.5, 0.0]])

    weights = style_masks.weight_map([a, b], [EYE[0], EYE[1]])

    np.testing.assert_allclose(
        weights[0], [[1, 0, 0], [0.25, 0.75, 0], [0.5, 0.5, 0]])


def test_mask_styles_take_names_or_mixes():
    by_names = style_masks.parse_styles("starry_night,2", TEST_STYLE_NAMES)
    mixes = style_masks.parse_styles("0;great_wave=1,composition_vii=3",
                                     TEST_STYLE_NAMES)

    np.testing.assert_array_equal(np.stack(by_names), EYE[[0, 2]])
    np.testing.assert_allclose(np.stack(mixes),
                               [[1, 0, 0], [0, 0.25, 0.75]])


@pytest.mark.parametrize("masks,mixes,message", [
    ([np.ones((2, 2))], [EYE[0]], "single mask picks between two styles"),
    ([np.ones((2, 2))] * 2, [EYE[0]] * 3, "2 masks need 2 styles"),
    ([np.ones((2, 2)), np.ones((2, 3))], [EYE[0]] * 2,
     "mask 1 is 2x2 but mask 2 is 3x2"),
])
def test_rejects_mismatched_masks_and_styles(masks, mixes, message):
    with pytest.raises(ValueError, match=message):
        style_masks.weight_map(masks, mixes)


def test_masked_photo_paints_each_half_in_its_style(stylizer, tmp_path):
    photo = write_image(str(tmp_path / "photo.png"), 48, 96)
    weights = style_masks.load_weight_map(
        _left_half_mask(tmp_path / "mask.png", 48, 96),
        "starry_night,great_wave", stylizer.style_names)

    out = np.asarray(stylizer.stylize(photo, weights), np.float32)

    first = np.asarray(stylizer.stylize(photo, EYE[0]), np.float32)
    second = np.asarray(stylizer.stylize(photo, EYE[1]), np.float32)
    # 12 pixels or more from the boundary at x=48.
    for region, own, other in [(np.s_[:, :36], first, second),
                               (np.s_[:, 60:], second, first)]:
        to_own = np.abs(out[region] - own[region]).mean()
        to_other = np.abs(out[region] - other[region]).mean()
        assert to_own < 0.3 * to_other, (to_own, to_other)


def test_masked_photo_is_the_same_tiled(stylizer, tmp_path):
    photo = write_image(str(tmp_path / "photo.png"), 32, 48)
    weights = style_masks.load_weight_map(
        _left_half_mask(tmp_path / "mask.png"), "starry_night,great_wave",
        stylizer.style_names)

    whole = stylizer.stylize(photo, weights, tile_size=0)
    tiled = stylizer.stylize(photo, weights, tile_size=32, tile_overlap=8)

    assert tiled.size == whole.size == (48, 32)
    # Tiles have their own moments: near, not equal.
    assert np.abs(np.asarray(tiled, np.float32)
                  - np.asarray(whole, np.float32)).mean() < 20


def test_rejects_mask_of_another_size_than_the_photo(stylizer, tmp_path):
    photo = write_image(str(tmp_path / "photo.png"), 40, 48)
    weights = style_masks.load_weight_map(
        _left_half_mask(tmp_path / "mask.png"), "starry_night,great_wave",
        stylizer.style_names)

    with pytest.raises(ValueError, match="mask is 48x32 pixels, the "
                                         "image 48x40"):
        stylizer.stylize(photo, weights)
