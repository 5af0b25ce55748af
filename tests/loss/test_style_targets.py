import os

import numpy as np
import pytest

from multistyle.loss import losses
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from tests.conftest import write_image

_LAYERS = ("block1_conv1", "block2_conv1")


@pytest.fixture(scope="module")
def vgg():
    return vgg_features.VGGFeatures(weights=None)


def test_paintings_load_at_their_short_side_in_unit_range(tmp_path):
    path = write_image(str(tmp_path / "p.png"), 40, 60)
    image = style_targets.load_style_image(path, 20)
    assert image.shape == (20, 30, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0


def test_grams_stack_one_symmetric_matrix_per_painting(vgg):
    images = [np.random.default_rng(i).random((16 + 4 * i, 20, 3),
                                              np.float32) for i in range(2)]
    extractor = vgg.extractor(list(_LAYERS))
    grams = style_targets.compute_style_grams(extractor, images)
    assert sorted(grams) == sorted(_LAYERS)
    assert grams["block1_conv1"].shape == (2, 64, 64)
    for gram in grams["block2_conv1"]:
        np.testing.assert_allclose(gram, gram.T, rtol=1e-5, atol=1e-7)
    expected = np.asarray(losses.gram_matrix(
        extractor(images[1][None])["block1_conv1"]))[0]
    np.testing.assert_allclose(grams["block1_conv1"][1], expected,
                               rtol=1e-5)


def test_cached_grams_are_read_back_without_recomputing(vgg, tmp_path,
                                                        monkeypatch):
    paths = [write_image(str(tmp_path / "a.png"), 24, 24)]
    first = style_targets.cached_style_grams(paths, 16, vgg, _LAYERS,
                                             "random", str(tmp_path))
    assert len([n for n in os.listdir(tmp_path)
                if n.startswith("style_grams-")]) == 1

    def recompute(*args):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(style_targets, "compute_style_grams", recompute)
    second = style_targets.cached_style_grams(paths, 16, vgg, _LAYERS,
                                              "random", str(tmp_path))
    for name in _LAYERS:
        np.testing.assert_array_equal(first[name], second[name])


def test_a_changed_painting_is_never_served_stale_targets(vgg, tmp_path):
    path = write_image(str(tmp_path / "a.png"), 24, 24, seed=1)
    before = style_targets.cached_style_grams([path], 16, vgg, _LAYERS,
                                              "random", str(tmp_path))
    write_image(path, 24, 24, seed=2)
    after = style_targets.cached_style_grams([path], 16, vgg, _LAYERS,
                                             "random", str(tmp_path))
    assert not np.allclose(before["block1_conv1"], after["block1_conv1"])


@pytest.mark.parametrize("change", [dict(size=20), dict(layers=_LAYERS[:1]),
                                    dict(vgg_weights="other")])
def test_other_settings_get_their_own_cache_entry(vgg, tmp_path, change):
    path = write_image(str(tmp_path / "a.png"), 24, 24)
    settings = dict(size=16, layers=_LAYERS, vgg_weights="random")
    style_targets.cached_style_grams([path], vgg=vgg, cache_dir=str(
        tmp_path), **settings)
    settings.update(change)
    style_targets.cached_style_grams([path], vgg=vgg, cache_dir=str(
        tmp_path), **settings)
    assert len([n for n in os.listdir(tmp_path)
                if n.startswith("style_grams-")]) == 2
