import keras
import numpy as np
import pytest

from multistyle.network import transformer_net


@pytest.fixture(scope="module")
def net():
    return transformer_net.build_transformer_net(num_styles=3, alpha=0.25)


@pytest.mark.parametrize("height,width", [(16, 16), (33, 47), (5, 9),
                                          (64, 31)])
def test_output_has_input_size(net, height, width):
    images = np.random.default_rng(0).random((2, height, width, 3), "float32")
    out = np.asarray(net([images, np.eye(3, dtype="float32")[[0, 2]]]))
    assert out.shape == (2, height, width, 3)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_alpha_changes_parameter_count():
    small = transformer_net.build_transformer_net(2, alpha=0.25)
    full = transformer_net.build_transformer_net(2, alpha=1.0)
    assert small.count_params() * 8 < full.count_params()


def test_norm_tables_have_one_row_per_style(net):
    norms = transformer_net.conditional_norm_layers(net)
    # 3 down + 5 residual blocks x 2 + 2 up + 1 output convolutions.
    assert len(norms) == 16
    assert all(n.gamma.shape[0] == 3 for n in norms)
    assert transformer_net.num_styles_of(net) == 3


def test_norm_probe_paints_what_the_network_paints(net):
    images = np.random.default_rng(2).random((2, 20, 28, 3), "float32")
    batch = [images, np.eye(3, dtype="float32")[[0, 1]]]
    painted, *norm_inputs = transformer_net.norm_probe_model(net)(batch)
    np.testing.assert_allclose(painted, net(batch), atol=1e-6)
    norms = transformer_net.conditional_norm_layers(net)
    assert [x.shape[-1] for x in norm_inputs] == [
        n.gamma.shape[-1] for n in norms]


def test_styles_give_different_images(net):
    for norm in transformer_net.conditional_norm_layers(net):
        norm.beta.assign(np.random.default_rng(1).normal(
            0, 1, norm.beta.shape))
    images = np.random.default_rng(0).random((1, 24, 24, 3), "float32")
    a = np.asarray(net([images, np.eye(3, dtype="float32")[[0]]]))
    b = np.asarray(net([images, np.eye(3, dtype="float32")[[1]]]))
    assert np.abs(a - b).mean() > 1e-3


def test_rejects_bad_alpha():
    with pytest.raises(ValueError, match="alpha"):
        transformer_net.build_transformer_net(2, alpha=0)


def test_keras_file_round_trip(net, tmp_path):
    path = str(tmp_path / "net.keras")
    net.save(path)
    loaded = keras.saving.load_model(path)
    inputs = [np.random.default_rng(2).random((1, 21, 19, 3), "float32"),
              np.array([[0.2, 0.3, 0.5]], "float32")]
    np.testing.assert_allclose(np.asarray(loaded(inputs)),
                               np.asarray(net(inputs)), atol=1e-6)


def test_reflection_padding_config_round_trip():
    layer = transformer_net.ReflectionPadding2D(4, name="pad")
    clone = transformer_net.ReflectionPadding2D.from_config(layer.get_config())
    assert clone.padding == 4
    out = clone(np.arange(25, dtype="float32").reshape(1, 5, 5, 1))
    assert out.shape == (1, 13, 13, 1)


def test_num_styles_of_rejects_plain_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not a multistyle network"):
        transformer_net.num_styles_of(model)


@pytest.mark.parametrize("height,width,padded_height,padded_width",
                         [(33, 47, 48, 64), (16, 17, 32, 32),
                          (21, 18, 21, 18)])
def test_padded_inputs_give_the_unpadded_result(net, height, width,
                                                padded_height, padded_width):
    padded_net = transformer_net.build_transformer_net(
        3, alpha=0.25, padded_inputs=True)
    padded_net.set_weights(net.get_weights())
    rng = np.random.default_rng(3)
    for norm in transformer_net.conditional_norm_layers(padded_net):
        norm.beta.assign(rng.normal(0, 1, norm.beta.shape))
    net.set_weights(padded_net.get_weights())
    images = rng.random((2, height, width, 3), "float32")
    padded = rng.random((2, padded_height, padded_width, 3), "float32")
    padded[:, :height, :width] = images  # Noise around the image.
    weights = np.eye(3, dtype="float32")[[0, 2]]
    out = np.asarray(padded_net([padded, weights,
                                 np.int32([[height, width]] * 2)]))
    np.testing.assert_allclose(out[:, :height, :width],
                               np.asarray(net([images, weights])), atol=1e-5)


def test_rejects_spatial_weights_with_padded_inputs():
    with pytest.raises(ValueError, match="cannot be combined"):
        transformer_net.build_transformer_net(2, spatial_weights=True,
                                              padded_inputs=True)


@pytest.mark.parametrize("normalization",
                         sorted(transformer_net.NORMALIZATIONS))
def test_keras_file_keeps_the_normalization(normalization, tmp_path):
    net = transformer_net.build_transformer_net(
        2, alpha=0.125, normalization=normalization)
    path = str(tmp_path / "net.keras")
    net.save(path)
    loaded = keras.saving.load_model(path)
    assert transformer_net.normalization_of(loaded) == normalization
    images = np.random.default_rng(0).uniform(0, 1, (1, 20, 24, 3))
    weights = np.array([[0.3, 0.7]], "float32")
    np.testing.assert_allclose(loaded([images, weights]),
                               net([images, weights]), atol=1e-5)


def test_rejects_unknown_normalization():
    with pytest.raises(ValueError, match="normalization"):
        transformer_net.build_transformer_net(2, normalization="batch")


@pytest.mark.parametrize("alpha,normalization", [(0.25, "instance"),
                                                 (0.5, "fixed_decoder")])
def test_networks_saved_as_plain_functional_models_upgrade(alpha,
                                                           normalization,
                                                           tmp_path):
    # Model files written before TransformerNet existed hold a plain
    # functional model of the same layers.
    net = transformer_net.TransformerNet(3, alpha=alpha,
                                         normalization=normalization)
    path = str(tmp_path / "legacy.keras")
    keras.Model(net.inputs, net.outputs, name=net.name).save(path)
    legacy = keras.saving.load_model(path)
    assert not isinstance(legacy, transformer_net.TransformerNet)
    upgraded = transformer_net.upgraded(legacy)
    assert (upgraded.num_styles, upgraded.alpha, upgraded.normalization) == (
        3, alpha, normalization)
    images = np.random.default_rng(1).uniform(0, 1, (1, 21, 30, 3))
    weights = np.eye(3, dtype="float32")[[2]]
    np.testing.assert_array_equal(upgraded([images, weights]),
                                  legacy([images, weights]))


def test_config_rebuilds_the_network():
    net = transformer_net.TransformerNet(2, alpha=0.25,
                                         normalization="clipped")
    twin = transformer_net.rebuilt(net, padded_inputs=True)
    assert twin.get_config() == {**net.get_config(), "padded_inputs": True}
    assert len(twin.inputs) == 3
