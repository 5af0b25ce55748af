import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from multistyle.loss import losses
from multistyle.loss import vgg_features
from multistyle.network import transformer_net
from multistyle.training import trainer as trainer_lib
from tests.conftest import REPO_ROOT

_LAYERS = ["block1_conv1", "block2_conv1"]


def _grams(vgg, images):
    feats = vgg.extractor(_LAYERS)(images)
    return {n: np.asarray(losses.gram_matrix(feats[n])) for n in _LAYERS}


@pytest.fixture(scope="module")
def vgg():
    return vgg_features.VGGFeatures(weights=None)


def _trainer(vgg, grams, num_styles=2, **kwargs):
    return trainer_lib.MultiStyleTrainer(
        transformer_net.build_transformer_net(num_styles, alpha=0.125), vgg,
        grams, content_layers=["block2_conv1"], content_weight=1.0,
        style_layer_weights=dict.fromkeys(_LAYERS, 1.0),
        style_coefficients=np.ones(num_styles, np.float32), tv_weight=0.5,
        **kwargs)


def test_painting_the_style_image_itself_has_zero_style_loss(vgg):
    rng = np.random.default_rng(0)
    paintings = rng.random((2, 16, 16, 3), np.float32)
    model = _trainer(vgg, _grams(vgg, paintings))
    photos = rng.random((2, 16, 16, 3), np.float32)
    one_hot = np.eye(2, dtype=np.float32)
    terms = model.loss_terms(photos, one_hot, paintings)
    np.testing.assert_allclose(terms["style_loss"], 0.0, atol=1e-6)
    swapped = model.loss_terms(photos, one_hot[::-1], paintings)
    assert np.all(np.asarray(swapped["style_loss"]) > 1e-3)


def test_copy_of_the_photo_has_zero_content_loss(vgg):
    rng = np.random.default_rng(1)
    model = _trainer(vgg, _grams(vgg, rng.random((2, 16, 16, 3),
                                                 np.float32)))
    photos = rng.random((2, 16, 16, 3), np.float32)
    terms = model.loss_terms(photos, np.eye(2, dtype=np.float32), photos)
    np.testing.assert_allclose(terms["content_loss"], 0.0, atol=1e-6)
    assert np.all(np.asarray(terms["tv_loss"]) > 0)


def _droplets(transformer, batch):
    _, *norm_inputs = transformer_net.norm_probe_model(transformer)(batch)
    return float(np.mean([np.asarray(losses.droplet_loss(x))
                          for x in norm_inputs]))


def test_droplet_weight_trains_the_droplets_away(vgg):
    # A dark photo with one highlight, where droplets (and blobs) form.
    photos = np.zeros((2, 48, 48, 3), np.float32)
    photos[:, 20, 30] = 1.0
    batch = (photos, np.eye(2, dtype=np.float32))
    grams = _grams(vgg, np.random.default_rng(5).random((2, 48, 48, 3),
                                                        np.float32))
    trained = {}
    for weight in (0.0, 10.0):
        keras.utils.set_random_seed(0)
        model = _trainer(vgg, grams, droplet_weight=weight)
        before = _droplets(model.transformer, batch)
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        for _ in range(20):
            logs = model.train_on_batch(batch, return_dict=True)
        trained[weight] = _droplets(model.transformer, batch)
        assert (logs["droplet_loss"] > 0) == (weight > 0)
    assert before > 0
    assert trained[10.0] < 0.5 * min(before, trained[0.0])


@pytest.mark.parametrize("droplet_weight", [0.0, 1.0])
def test_only_the_transformer_is_trainable_each_weight_once(vgg,
                                                            droplet_weight):
    model = _trainer(vgg, _grams(vgg, np.zeros((2, 16, 16, 3), np.float32)),
                     droplet_weight=droplet_weight)
    trainable = [id(v) for v in model.trainable_variables]
    assert len(trainable) == len(set(trainable))
    assert set(trainable) == {id(v) for v in
                              model.transformer.trainable_variables}


def test_rejects_targets_for_other_layers(vgg):
    grams = _grams(vgg, np.zeros((2, 16, 16, 3), np.float32))
    del grams["block2_conv1"]
    with pytest.raises(ValueError, match="Style targets cover"):
        _trainer(vgg, grams)


_DATA_PARALLEL_STEPS = """
import numpy as np
from multistyle.training import trainer
from multistyle.network import transformer_net
from multistyle.loss import vgg_features
layers = ["block1_conv1", "block2_conv1"]
grams = {"block1_conv1": np.ones((2, 64, 64), "float32"),
         "block2_conv1": np.ones((2, 128, 128), "float32")}
model = trainer.MultiStyleTrainer(
    transformer_net.build_transformer_net(2, 0.125),
    vgg_features.VGGFeatures(None), grams, ["block2_conv1"], 1.0,
    dict.fromkeys(layers, 1.0), np.ones(2, "float32"), 0.0)
model.compile(optimizer=keras.optimizers.Adam(1e-3))
batch = (np.random.rand(4, 16, 16, 3).astype("float32"),
         np.eye(2, dtype="float32")[[0, 1, 0, 1]])
"""


def _run(script, **env):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], cwd=REPO_ROOT,
        capture_output=True, text=True, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(keras.backend.backend() != "jax",
                    reason="keras.distribution data parallelism on JAX")
def test_trains_data_parallel_on_two_jax_devices():
    script = """
    import keras
    devices = keras.distribution.list_devices()
    assert len(devices) == 2, devices
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices))
    """ + textwrap.indent(_DATA_PARALLEL_STEPS, "    ") + """
    losses = [model.train_on_batch(batch, return_dict=True)["loss"]
              for _ in range(3)]
    print("losses", losses)
    """
    out = _run(script, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    assert "losses" in out


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="tf.distribute.MirroredStrategy is TF-only")
def test_trains_under_mirrored_strategy_on_two_tf_devices():
    script = """
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
    """ + textwrap.indent(_DATA_PARALLEL_STEPS, "        ") + """
    data = tf.data.Dataset.from_tensors((batch,)).repeat(3)
    history = model.fit(data, epochs=1, verbose=0)
    print("replicas", strategy.num_replicas_in_sync, history.history)
    """
    assert "replicas 2" in _run(script)


def test_texture_weight_trains_texture_into_flat_photos(vgg):
    # Nearly flat photos: the texture loss alone asks for gradients.
    rng = np.random.default_rng(3)
    photos = (0.5 + 0.02 * rng.standard_normal((2, 24, 24, 3))).astype(
        np.float32)
    batch = (photos, np.eye(2, dtype=np.float32))
    grams = _grams(vgg, np.zeros((2, 24, 24, 3), np.float32))
    energies = np.array([0.5, 0.8], np.float32)
    texture = {}
    for weight in (0.0, 10.0):
        keras.utils.set_random_seed(0)
        model = _trainer(vgg, grams, texture_weight=weight,
                         style_gradient_energies=energies)
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        for _ in range(15):
            logs = model.train_on_batch(batch, return_dict=True)
        assert (logs["texture_loss"] > 0) == (weight > 0)
        texture[weight] = float(np.mean(losses.gradient_energy(
            model.transformer(batch))))
    assert texture[10.0] > 2 * texture[0.0]


def test_texture_weight_needs_the_paintings_energies(vgg):
    with pytest.raises(ValueError, match="style_gradient_energies"):
        _trainer(vgg, _grams(vgg, np.zeros((2, 16, 16, 3), np.float32)),
                 texture_weight=1.0)
