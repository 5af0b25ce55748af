import numpy as np
import pytest

from multistyle.io import image_io
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io
from multistyle.network import style_tables
from multistyle.network import transformer_net
from multistyle.training import closest_blend
from multistyle.training import progress_report
from tests.conftest import write_image


def test_simplex_least_squares_recovers_a_mix_of_the_rows():
    matrix = np.random.default_rng(0).normal(size=(4, 12))
    weights = closest_blend.simplex_least_squares(
        matrix, np.array([0.7, 0.3, 0.0, 0.0]) @ matrix)
    np.testing.assert_allclose(weights, [0.7, 0.3, 0.0, 0.0], atol=1e-3)


def test_simplex_least_squares_weights_are_nonnegative_and_sum_to_one():
    rng = np.random.default_rng(1)
    weights = closest_blend.simplex_least_squares(
        rng.normal(size=(5, 8)), rng.normal(size=8) * 10)
    assert weights.min() >= 0.0
    assert weights.sum() == pytest.approx(1.0, abs=1e-5)


def test_blended_rows_paint_as_the_network_blends_in_graph(model_dir):
    net, _, _ = folder_io.read(model_dir)
    blend = np.array([[0.2, 0.5, 0.3]], np.float32)
    one = style_tables.with_style_tables(
        net, style_tables.blended_style_rows(net, blend))
    image = np.random.default_rng(0).random((1, 20, 24, 3), np.float32)
    np.testing.assert_allclose(np.asarray(one([image, np.ones((1, 1))])),
                               np.asarray(net([image, blend])), atol=1e-5)


@pytest.fixture(scope="module")
def extractor():
    layers = list(vgg_features.DEFAULT_STYLE_LAYERS)
    return vgg_features.VGGFeatures(weights=None).extractor(layers)


@pytest.mark.parametrize("style", [0, 1, 2])
def test_a_painting_in_a_learned_style_weights_that_style_most(
        model_dir, extractor, tmp_path, style):
    net, _, _ = folder_io.read(model_dir)
    # The painting: another photo painted in `style`.
    path = str(tmp_path / "photo.png")
    write_image(path, 96, 128, seed=5)
    photo = image_io.to_float(image_io.load_image(path))
    painting = closest_blend.painted_grams(net, photo, extractor)
    grams = {name: value[[style]] for name, value in painting.items()}
    weights = closest_blend.closest_blend(
        net, progress_report.preview_photo(), extractor, grams)
    assert weights.shape == (1, transformer_net.num_styles_of(net))
    assert np.argmax(weights[0]) == style
