import numpy as np
import pytest

from multistyle.evaluation import optimize
from multistyle.loss import losses
from multistyle.loss import style_targets
from multistyle.loss import vgg_features

_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1"]


@pytest.fixture(scope="module")
def vgg(real_vgg_weights):
    return vgg_features.VGGFeatures(real_vgg_weights)


def _style_loss(vgg, image, grams):
    feats = vgg.extractor(_LAYERS)(image[None])
    return sum(float(np.asarray(losses.style_loss(feats[n], grams[n]))[0])
               for n in _LAYERS)


def test_optimization_moves_the_photo_towards_the_style(vgg):
    rng = np.random.default_rng(0)
    photo = np.full((32, 32, 3), 0.5, np.float32) + rng.normal(
        0, 0.05, (32, 32, 3)).astype(np.float32)
    painting = np.zeros((32, 32, 3), np.float32)
    painting[::4] = (1.0, 0.8, 0.0)  # Yellow stripes on black.
    grams = style_targets.compute_style_grams(vgg.extractor(_LAYERS),
                                              [painting])
    image, final = optimize.optimize_image(
        np.clip(photo, 0, 1), grams, vgg, ["block3_conv1"],
        dict.fromkeys(_LAYERS, 1.0), content_weight=0.1, num_steps=30,
        learning_rate=0.05, verbose=0)
    assert image.shape == photo.shape
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert _style_loss(vgg, image, grams) < 0.5 * _style_loss(
        vgg, np.clip(photo, 0, 1), grams)
    assert np.isfinite(final["loss"])
