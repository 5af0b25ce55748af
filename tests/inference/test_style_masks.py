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


def _soft_masks(height, width, count):
    """`count` uint8 masks with soft, differently placed boundaries."""
    yy, xx = np.mgrid[0:height, 0:width]
    return [np.clip(127.5 + 127.5 * np.sin(xx / (5 + 3 * i) + yy / (9 + i)),
                    0, 255).astype(np.uint8) for i in range(count)]


def test_style_masks_keep_uint8_masks_and_list_the_painted_styles():
    masks = style_masks.StyleMasks(_soft_masks(9, 7, 1), [EYE[0], EYE[2]])

    assert masks.masks[0].dtype == np.uint8 and masks.shape == (9, 7)
    np.testing.assert_array_equal(masks.styles, [0, 2])
    np.testing.assert_array_equal(
        masks.weights_for(np.s_[2:5, 1:6], styles=masks.styles),
        masks.weights_for(np.s_[2:5, 1:6])[..., [0, 2]])


@pytest.mark.parametrize("count", [1, 3])
def test_mask_windows_equal_the_whole_weight_map(count):
    masks = _soft_masks(41, 57, count)
    mixes = [EYE[0], 0.5 * EYE[1] + 0.5 * EYE[2], EYE[1]][:max(2, count)]
    whole = style_masks.weight_map(masks, mixes)

    window = np.s_[5:33, 11:50]
    np.testing.assert_array_equal(
        style_masks.StyleMasks(masks, mixes).weights_for(window),
        whole[window])
    # Float masks in [0, 1] give the same weights as uint8 ones.
    np.testing.assert_allclose(
        style_masks.weight_map([m / 255.0 for m in masks], mixes), whole,
        atol=1e-6)


@pytest.mark.parametrize("size", [(23, 31), (97, 130), (41, 57)])
def test_mask_windows_of_another_size_equal_the_resized_map(size):
    masks = style_masks.StyleMasks(_soft_masks(41, 57, 3),
                                   [EYE[0], EYE[1], EYE[2]])
    resized = style_masks.resize(masks.weight_map(), *size)

    for window in [np.s_[0:size[0], 0:size[1]], np.s_[3:17, 5:21],
                   np.s_[size[0] - 9:size[0], 0:7]]:
        np.testing.assert_allclose(masks.weights_for(window, size),
                                   resized[window], atol=1e-5)
        np.testing.assert_allclose(
            style_masks.WeightMap(masks.weight_map()).weights_for(
                window, size), resized[window], atol=1e-5)


@pytest.mark.parametrize("count,options", [
    (1, {}), (3, {}), (1, {"stroke_scale": 1.5, "strength": 0.7}),
    (3, {"max_size": 50, "preserve_color": True})])
def test_masks_paint_as_the_full_weight_map_does(stylizer, count, options):
    """The masks path (weights made per tile, from the masks) against the
    per-pixel map path, tiled, at an odd size."""
    photo = np.random.default_rng(2).integers(0, 256, (45, 71, 3), np.uint8)
    masks = _soft_masks(45, 71, count)
    mixes = style_masks.parse_styles(
        "starry_night;composition_vii" if count == 1
        else "starry_night;great_wave=1,composition_vii=1;composition_vii",
        stylizer.style_names)
    tiles = dict(tile_size=32, tile_overlap=8, **options)

    from_masks = stylizer.stylize(
        photo, style_masks.StyleMasks(masks, mixes), **tiles)
    from_map = stylizer.stylize(
        photo, style_masks.weight_map(masks, mixes), **tiles)

    assert from_masks.size == from_map.size
    assert np.abs(np.asarray(from_masks, int)
                  - np.asarray(from_map, int)).max() <= 1
