"""The statistics a conditional norm normalizes by: clipped and fixed."""

import keras
import numpy as np
import pytest

from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm
from tests.conftest import cin_with_random_tables


def _features(batch=2, size=32, channels=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(3.0, 2.0, (batch, size, size, channels)).astype(
        "float32")


def _one_hot(style, batch=2, num_styles=3):
    return np.eye(num_styles, dtype="float32")[[style] * batch]


def _with_spike(x, value):
    spiked = x.copy()
    spiked[:, 3, 5, :] = value
    return spiked


@pytest.mark.parametrize("statistics,moves", [("instance", True),
                                              ("clipped", False)])
def test_a_spike_steers_other_pixels_only_with_instance_moments(statistics,
                                                                moves):
    layer = cin_with_random_tables(statistics=statistics)
    x = _features()
    small = np.asarray(layer(_with_spike(x, 20.0), _one_hot(1)))
    large = np.asarray(layer(_with_spike(x, 2000.0), _one_hot(1)))
    change = np.abs(small - large)
    change[:, 3, 5, :] = 0.0  # The spike itself.
    assert (change.max() > 0.5) == moves


def test_clipped_moments_equal_plain_ones_without_outliers():
    instance = cin_with_random_tables()
    clipped = cin_with_random_tables(statistics="clipped")
    x = np.clip(_features(), 3.0 - 4.0, 3.0 + 4.0)  # Within 2 sigma.
    # Moments of a clipped copy differ only where values pass 3 sigma.
    np.testing.assert_allclose(np.asarray(clipped(x, _one_hot(0))),
                               np.asarray(instance(x, _one_hot(0))),
                               atol=1e-4)


def test_fixed_statistics_are_the_styles_affine_map():
    layer = cin_with_random_tables(statistics="fixed")
    x = _features()
    out = np.asarray(layer(x, _one_hot(2)))
    gamma, beta = (keras.ops.convert_to_numpy(t)[2]
                   for t in (layer.gamma, layer.beta))
    np.testing.assert_allclose(out, x * gamma + beta, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("statistics", ["clipped", "fixed"])
def test_fifty_fifty_blend_mixes_the_tables(statistics):
    layer = cin_with_random_tables(statistics=statistics)
    x = _features()
    half = np.array([[0.5, 0.5, 0.0]] * 2, dtype="float32")
    mixed = ConditionalInstanceNorm(num_styles=1, statistics=statistics)
    mixed.build(x.shape, (None, 1))
    mixed.gamma.assign(half[:1] @ keras.ops.convert_to_numpy(layer.gamma))
    mixed.beta.assign(half[:1] @ keras.ops.convert_to_numpy(layer.beta))
    np.testing.assert_allclose(
        np.asarray(layer(x, half)),
        np.asarray(mixed(x, np.ones((2, 1), dtype="float32"))), atol=1e-5)


@pytest.mark.parametrize("statistics", ["clipped", "fixed"])
def test_constant_per_pixel_map_gives_the_per_example_result(statistics):
    layer = cin_with_random_tables(statistics=statistics)
    x = _features()
    weights = np.array([[0.2, 0.5, 0.3]] * 2, dtype="float32")
    per_pixel = np.broadcast_to(weights[:, None, None, :],
                                (2, 4, 4, 3)).copy()
    np.testing.assert_allclose(np.asarray(layer(x, per_pixel)),
                               np.asarray(layer(x, weights)), atol=1e-4)


def test_clipped_moments_ignore_padding_outside_the_valid_region():
    layer = cin_with_random_tables(statistics="clipped")
    x = _with_spike(_features(batch=1, size=12), 50.0)
    padded = np.full((1, 16, 20, 4), 1000.0, np.float32)
    padded[:, :12, :12] = x
    valid = np.array([[12, 12]], np.int32)
    out = np.asarray(layer(padded, _one_hot(0, batch=1), valid_size=valid))
    np.testing.assert_allclose(out[:, :12, :12],
                               np.asarray(layer(x, _one_hot(0, batch=1))),
                               atol=1e-4)


@pytest.mark.parametrize("statistics", ["clipped", "fixed"])
def test_config_round_trip_keeps_the_statistics(statistics):
    layer = ConditionalInstanceNorm(3, statistics=statistics, clip_sigmas=2.5)
    clone = ConditionalInstanceNorm.from_config(layer.get_config())
    assert (clone.statistics, clone.clip_sigmas) == (statistics, 2.5)


def test_rejects_unknown_statistics():
    with pytest.raises(ValueError, match="statistics"):
        ConditionalInstanceNorm(3, statistics="batch")


def test_rejects_non_positive_clip_sigmas():
    with pytest.raises(ValueError, match="clip_sigmas"):
        ConditionalInstanceNorm(3, statistics="clipped", clip_sigmas=0)
