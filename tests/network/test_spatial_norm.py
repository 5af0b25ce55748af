"""Per-pixel style weights: ConditionalInstanceNorm's rank-4 path and the
transformer network's spatial twin."""

import numpy as np
import pytest

from multistyle.network import transformer_net
from tests.conftest import cin_with_random_tables


def _features(batch=2, height=8, width=12, channels=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(3.0, 2.0, (batch, height, width, channels)).astype(
        "float32")


@pytest.fixture(scope="module")
def net():
    net = transformer_net.build_transformer_net(num_styles=3, alpha=0.125)
    rng = np.random.default_rng(0)
    for norm in transformer_net.conditional_norm_layers(net):
        norm.gamma.assign(rng.uniform(0.5, 1.5, norm.gamma.shape))
        norm.beta.assign(rng.normal(0.0, 0.5, norm.beta.shape))
    return net


@pytest.mark.parametrize("map_size", [(8, 12), (3, 5)])
def test_constant_per_pixel_weights_equal_per_example_weights(map_size):
    layer = cin_with_random_tables()
    x = _features()
    weights = np.array([[0.2, 0.5, 0.3], [0.0, 1.0, 0.0]], "float32")
    per_pixel = np.broadcast_to(weights[:, None, None, :],
                                (2, *map_size, 3)).copy()

    np.testing.assert_allclose(np.asarray(layer(x, per_pixel)),
                               np.asarray(layer(x, weights)), atol=1e-4)


def test_each_region_is_normalized_as_if_alone():
    layer = cin_with_random_tables()
    x = _features()
    halves = np.zeros((2, 8, 12, 3), "float32")
    halves[:, :, :5, 0] = 1.0
    halves[:, :, 5:, 2] = 1.0

    out = np.asarray(layer(x, halves))

    left = np.asarray(layer(x[:, :, :5], np.eye(3, dtype="float32")[[0, 0]]))
    right = np.asarray(layer(x[:, :, 5:], np.eye(3, dtype="float32")[[2, 2]]))
    np.testing.assert_allclose(out[:, :, :5], left, atol=1e-4)
    np.testing.assert_allclose(out[:, :, 5:], right, atol=1e-4)


def test_spatial_twin_shares_the_network_variables(net):
    twin = transformer_net.spatial_twin(net)

    assert [id(v) for v in twin.weights] == [id(v) for v in net.weights]
    assert twin.inputs[1].shape == (None, None, None, 3)


def test_spatial_twin_with_constant_map_equals_network(net):
    twin = transformer_net.spatial_twin(net)
    images = np.random.default_rng(2).random((2, 33, 47, 3), "float32")
    weights = np.array([[0.2, 0.3, 0.5], [0.0, 0.0, 1.0]], "float32")
    per_pixel = np.broadcast_to(weights[:, None, None, :],
                                (2, 33, 47, 3)).copy()

    np.testing.assert_allclose(twin.predict_on_batch([images, per_pixel]),
                               net.predict_on_batch([images, weights]),
                               atol=2e-3)


def test_two_region_map_paints_each_half_in_its_style(net):
    twin = transformer_net.spatial_twin(net)
    images = np.random.default_rng(3).random((1, 48, 96, 3), "float32")
    halves = np.zeros((1, 48, 96, 3), "float32")
    halves[:, :, :48, 0] = 1.0
    halves[:, :, 48:, 1] = 1.0

    out = twin.predict_on_batch([images, halves])

    eye = np.eye(3, dtype="float32")
    first = net.predict_on_batch([images, eye[[0]]])
    second = net.predict_on_batch([images, eye[[1]]])
    for region, own, other in [(np.s_[:, :, :36], first, second),
                               (np.s_[:, :, 60:], second, first)]:
        to_own = np.abs(out[region] - own[region]).mean()
        to_other = np.abs(out[region] - other[region]).mean()
        # Region moments are not the whole image's: close, not equal.
        assert to_own < 0.3 * to_other, (to_own, to_other)


def test_built_spatial_net_takes_maps_and_keeps_weight_names(net):
    spatial = transformer_net.build_transformer_net(
        num_styles=3, alpha=0.125, spatial_weights=True)

    assert [w.path for w in spatial.weights] == [w.path for w in net.weights]
    out = spatial(
        [np.zeros((1, 20, 24, 3), "float32"),
         np.full((1, 5, 6, 3), 1 / 3, "float32")])
    assert tuple(out.shape) == (1, 20, 24, 3)
