import os

import keras
import numpy as np
import pytest

from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from multistyle.training import perceptual
from multistyle.training import warm_start
from tests.conftest import save_model_of_paintings
from tests.training.test_perceptual import _tiny_config


class _WeightsAtStart(keras.callbacks.Callback):
    """Records the network's weights before the first step."""

    def __init__(self, transformer_of):
        super().__init__()
        self.transformer_of = transformer_of
        self.weights = None

    def on_train_begin(self, logs=None):
        self.weights = self.transformer_of(self.model).get_weights()


@pytest.fixture
def trained_dir(tmp_path, style_files):
    return save_model_of_paintings(tmp_path / "trained", style_files, seed=3)


def test_warm_start_begins_with_the_models_weights_and_trains_them(
        trained_dir, photo_dir, style_files, real_vgg_weights, tmp_path):
    given = keras.saving.load_model(
        os.path.join(trained_dir, "model.keras")).get_weights()
    at_start = _WeightsAtStart(lambda model: model.transformer)
    net = perceptual.train(
        _tiny_config(photo_dir, style_files, str(tmp_path / "run"),
                     real_vgg_weights, init_from=trained_dir,
                     warmup_steps=1, learning_rate=1e-2),
        callbacks=[at_start])
    for start, original in zip(at_start.weights, given):
        np.testing.assert_array_equal(start, original)
    changed = [not np.allclose(after, original)
               for after, original in zip(net.get_weights(), given)]
    assert all(changed[:2]) and np.mean(changed) > 0.5


def test_warm_start_names_the_styles_that_differ(trained_dir, tmp_path):
    net = transformer_net.build_transformer_net(2, alpha=0.125)
    styles = [style_set.Style("red_style"), style_set.Style("green_style")]
    with pytest.raises(ValueError, match=r"lacks: \['blue_style'\].*"
                       r"lacks: \['green_style'\]"):
        warm_start.load_initial_weights(net, trained_dir, styles)
    swapped = [style_set.Style("blue_style"), style_set.Style("red_style")]
    with pytest.raises(ValueError, match="order differs"):
        warm_start.load_initial_weights(net, trained_dir, swapped)


def test_warm_start_refuses_another_width(trained_dir):
    net = transformer_net.build_transformer_net(2, alpha=0.25)
    styles = [style_set.Style("red_style"), style_set.Style("blue_style")]
    with pytest.raises(ValueError, match="`alpha`"):
        warm_start.load_initial_weights(net, trained_dir, styles)


def test_warm_start_from_a_folder_without_a_model(tmp_path):
    net = transformer_net.build_transformer_net(1, alpha=0.125)
    with pytest.raises(FileNotFoundError, match="No styles.json"):
        warm_start.load_initial_weights(net, str(tmp_path), [])
