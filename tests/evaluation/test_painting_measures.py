import numpy as np
import pytest

from multistyle.evaluation import painting_measures


def _noise(seed, shape=(48, 64, 3)):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _smooth(seed, shape=(48, 64, 3)):
    """A photo-like image: a few broad colour gradients."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:1:shape[0] * 1j, 0:1:shape[1] * 1j]
    corners = rng.random((4, 3), dtype=np.float32)
    image = ((1 - y)[..., None] * ((1 - x)[..., None] * corners[0]
                                   + x[..., None] * corners[1])
             + y[..., None] * ((1 - x)[..., None] * corners[2]
                               + x[..., None] * corners[3]))
    return image.astype(np.float32)


def test_textured_image_scores_higher_texture_energy_than_a_flat_one():
    painting = _noise(0)
    flat = np.full((48, 64, 3), 0.5, np.float32)
    smooth = _smooth(1)
    textured = np.clip(smooth + 0.3 * (_noise(2) - 0.5), 0, 1)

    assert painting_measures.texture_energy(flat, painting) == 0.0
    assert (painting_measures.texture_energy(textured, painting)
            > 3 * painting_measures.texture_energy(smooth, painting) > 0)


def test_texture_energy_of_the_painting_itself_is_one():
    painting = _noise(3)
    assert painting_measures.texture_energy(painting, painting) == (
        pytest.approx(1.0))


def test_texture_energy_is_per_pixel_so_the_sizes_may_differ():
    painting = _noise(4, (40, 40, 3))
    tiled = np.tile(painting, (2, 3, 1))
    assert painting_measures.texture_energy(tiled, painting) == (
        pytest.approx(1.0, abs=0.05))


def test_sobel_magnitude_of_a_unit_ramp():
    # Luminance rises 0.1 a pixel: Gx weighs rows 1 + 2 + 1 = 4 times a
    # difference across 2 pixels, 4 * 0.2 = 0.8; Gy is 0.
    ramp = np.repeat(np.arange(8, dtype=np.float32)[None, :, None] / 10,
                     6, axis=0).repeat(3, axis=2)
    assert painting_measures.gradient_energy(ramp) == pytest.approx(0.8)


def test_painting_equal_to_the_painting_has_colour_distance_zero():
    photo, painting = _smooth(5), _noise(6)
    assert painting_measures.colour_distance(painting, photo, painting) == 0


def test_unchanged_photo_has_colour_distance_one():
    photo, painting = _smooth(5), _noise(6)
    assert painting_measures.colour_distance(photo, photo, painting) == 1


def test_swapping_in_the_paintings_palette_moves_the_colour_distance():
    photo = _smooth(7, (64, 64, 3))
    painting = _smooth(8, (64, 64, 3))[..., ::-1] ** 2  # Another palette.
    # The photo's layout, its pixels' colours taken from the painting by
    # rank (a histogram match per channel): the painting's palette.
    swapped = np.empty_like(photo)
    for c in range(3):
        order = np.argsort(photo[..., c], axis=None)
        values = np.sort(painting[..., c], axis=None)
        swapped[..., c].flat[order] = values
    halfway = 0.5 * photo + 0.5 * swapped

    near = painting_measures.colour_distance(swapped, photo, painting)
    middle = painting_measures.colour_distance(halfway, photo, painting)
    assert near < 0.25 < middle < 0.9


def test_colour_distance_is_deterministic_at_512_px():
    photo = _smooth(9, (384, 512, 3))
    painted = np.clip(photo + 0.2 * (_noise(10, photo.shape) - 0.5), 0, 1)
    painting = _noise(11, (384, 480, 3)) ** 2
    first = painting_measures.colour_distance(painted, photo, painting)
    assert painting_measures.colour_distance(painted, photo,
                                             painting) == first


def test_sliced_wasserstein_ignores_the_arrangement_of_pixels():
    image = _noise(12)
    shuffled = np.random.default_rng(0).permutation(
        image.reshape(-1, 3)).reshape(image.shape)
    small = image[:16, :16]  # Under MAX_PIXELS: every pixel counts.
    assert painting_measures.sliced_wasserstein(
        small, small[::-1, ::-1]) == pytest.approx(0.0, abs=1e-4)
    assert painting_measures.sliced_wasserstein(image, shuffled) < 1.0
    assert painting_measures.sliced_wasserstein(
        image, np.zeros_like(image)) > 20.0


def test_lab_of_white_black_and_red():
    lab = painting_measures.rgb_to_lab(np.array([[1.0, 1.0, 1.0],
                                                 [0.0, 0.0, 0.0],
                                                 [1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(lab, [[100.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                                     [53.24, 80.09, 67.20]], atol=0.01)


def test_rejects_images_smaller_than_the_sobel_kernel():
    with pytest.raises(ValueError, match="at least 3x3"):
        painting_measures.gradient_energy(np.zeros((2, 5, 3), np.float32))
