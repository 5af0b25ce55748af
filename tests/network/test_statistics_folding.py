"""Folding measured statistics into norms that switch to fixed ones."""

import numpy as np
import pytest

from multistyle.network import statistics_folding
from multistyle.network import transformer_net
from tests.conftest import seed_everything


def _trained(normalization="instance"):
    seed_everything(3)
    net = transformer_net.build_transformer_net(
        3, alpha=0.125, normalization=normalization)
    rng = np.random.default_rng(4)
    for norm in transformer_net.conditional_norm_layers(net):
        norm.gamma.assign(rng.normal(1.0, 0.3, norm.gamma.shape))
        norm.beta.assign(rng.normal(0.0, 0.3, norm.beta.shape))
    return net


def _photos(count, seed=5):
    return np.random.default_rng(seed).uniform(
        0, 1, (count, 24, 28, 3)).astype("float32")


def _switched(trained, normalization):
    net = transformer_net.build_transformer_net(
        3, alpha=0.125, normalization=normalization)
    net.set_weights(trained.get_weights())
    return net


@pytest.mark.parametrize("normalization", ["fixed_decoder",
                                           "fixed_residual_decoder"])
def test_folded_on_one_photo_paints_that_photo_as_before(normalization):
    trained = _trained()
    net = _switched(trained, normalization)
    photo = _photos(1)
    folded = statistics_folding.fold_fixed_statistics(net, trained, photo)
    assert "output_norm" in folded
    for style in range(3):
        weights = np.eye(3, dtype="float32")[[style]]
        np.testing.assert_allclose(net([photo, weights]),
                                   trained([photo, weights]), atol=2e-4)


def test_unfolded_switch_paints_otherwise():
    trained = _trained()
    net = _switched(trained, "fixed_decoder")
    photo, weights = _photos(1), np.eye(3, dtype="float32")[[0]]
    assert np.abs(np.asarray(net([photo, weights]))
                  - np.asarray(trained([photo, weights]))).max() > 0.01


def test_same_normalization_folds_nothing():
    trained = _trained()
    assert statistics_folding.fold_fixed_statistics(
        _switched(trained, "instance"), trained, _photos(2)) == []


def test_refuses_to_unfold_fixed_statistics():
    trained = _trained("fixed_decoder")
    with pytest.raises(ValueError, match="fixed_decoder"):
        statistics_folding.fold_fixed_statistics(
            _switched(trained, "instance"), trained, _photos(2))
