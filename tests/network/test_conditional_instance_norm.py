import keras
import numpy as np
import pytest

from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm
from tests.conftest import cin_with_random_tables


def _features(batch=2, channels=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(3.0, 2.0, (batch, 8, 8, channels)).astype("float32")


def test_normalizes_each_channel_to_zero_mean_unit_variance():
    layer = ConditionalInstanceNorm(num_styles=2)
    out = np.asarray(layer(_features(), np.eye(2, dtype="float32")))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.var(axis=(1, 2)), 1.0, atol=1e-3)


def test_one_hot_weights_select_single_style():
    layer = cin_with_random_tables()
    x = _features()
    out = np.asarray(layer(x, np.eye(3, dtype="float32")[[2, 2]]))
    normalized = (x - x.mean(axis=(1, 2), keepdims=True)) / np.sqrt(
        x.var(axis=(1, 2), keepdims=True) + 1e-5)
    gamma, beta = layer.gamma.numpy()[2], layer.beta.numpy()[2]
    np.testing.assert_allclose(out, normalized * gamma + beta, atol=1e-4)


def test_blend_equals_mixed_gamma_and_beta():
    layer = cin_with_random_tables()
    x = _features()
    weights = np.array([[0.2, 0.5, 0.3]] * 2, dtype="float32")
    out = np.asarray(layer(x, weights))
    mixed = ConditionalInstanceNorm(num_styles=1)
    mixed.build(x.shape, (None, 1))
    mixed.gamma.assign(weights[:1] @ layer.gamma.numpy())
    mixed.beta.assign(weights[:1] @ layer.beta.numpy())
    expected = np.asarray(mixed(x, np.ones((2, 1), dtype="float32")))
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_fifty_fifty_blend_is_mean_of_affine_outputs():
    layer = cin_with_random_tables()
    x = _features()
    a = np.asarray(layer(x, np.eye(3, dtype="float32")[[0, 0]]))
    b = np.asarray(layer(x, np.eye(3, dtype="float32")[[1, 1]]))
    half = np.array([[0.5, 0.5, 0.0]] * 2, dtype="float32")
    np.testing.assert_allclose(np.asarray(layer(x, half)), (a + b) / 2,
                               atol=1e-5)


@pytest.mark.parametrize("num_weights", [2, 4])
def test_rejects_weights_of_other_lengths(num_weights):
    layer = ConditionalInstanceNorm(num_styles=3)
    with pytest.raises(ValueError, match="3 values per example"):
        layer(_features(), np.ones((2, num_weights), dtype="float32"))


def test_rejects_zero_num_styles():
    with pytest.raises(ValueError, match="num_styles"):
        ConditionalInstanceNorm(num_styles=0)


def test_moments_stay_float32_under_mixed_precision():
    layer = ConditionalInstanceNorm(num_styles=1, dtype="mixed_bfloat16")
    x = _features() * 1000.0 + 1e5  # Large offset: bf16 moments would fail.
    out = layer(x, np.ones((2, 1), dtype="float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    np.testing.assert_allclose(np.asarray(out, "float32").mean(axis=(1, 2)),
                               0.0, atol=0.05)


def test_config_round_trip():
    layer = ConditionalInstanceNorm(num_styles=5, epsilon=1e-3, name="cin")
    clone = ConditionalInstanceNorm.from_config(layer.get_config())
    assert (clone.num_styles, clone.epsilon, clone.name) == (5, 1e-3, "cin")


def test_keras_file_round_trip(tmp_path):
    images = keras.Input((None, None, 4))
    weights = keras.Input((3,))
    outputs = ConditionalInstanceNorm(3)(images, weights)
    model = keras.Model([images, weights], outputs)
    model.layers[-1].gamma.assign(np.arange(12).reshape(3, 4) / 7.0)
    path = str(tmp_path / "cin.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    inputs = [_features(), np.eye(3, dtype="float32")[[0, 1]]]
    np.testing.assert_allclose(np.asarray(loaded(inputs)),
                               np.asarray(model(inputs)), atol=1e-6)


def test_activation_applies_to_the_normalized_output():
    plain = cin_with_random_tables()
    fused = ConditionalInstanceNorm(3, activation="relu")
    fused.build((None, None, None, 4), (None, 3))
    fused.set_weights(plain.get_weights())
    x, weights = _features(), np.eye(3, dtype="float32")[[0, 1]]
    expected = np.maximum(np.asarray(plain(x, weights)), 0.0)
    assert (expected == 0).any() and (expected > 0).any()
    np.testing.assert_allclose(np.asarray(fused(x, weights)), expected,
                               atol=1e-6)
    clone = ConditionalInstanceNorm.from_config(fused.get_config())
    assert clone.activation is keras.activations.relu


def test_valid_size_takes_moments_over_the_valid_region_only():
    layer = cin_with_random_tables()
    x = _features()
    padded = np.full((2, 11, 13, 4), 1e3, "float32")  # Far-off padding.
    padded[:, :8, :8] = x
    weights = np.eye(3, dtype="float32")[[0, 2]]
    out = np.asarray(layer(padded, weights,
                           valid_size=np.int32([[8, 8], [8, 8]])))
    np.testing.assert_allclose(out[:, :8, :8],
                               np.asarray(layer(x, weights)), atol=1e-4)
