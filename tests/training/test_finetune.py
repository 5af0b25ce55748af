import dataclasses
import os
import shutil

import keras
import numpy as np
import pytest

from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import style_tables
from multistyle.network import transformer_net
from multistyle import errors
from multistyle.training import checkpoint
from multistyle.training import finetune
from multistyle.training import trainer as trainer_lib
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import paint_style
from tests.conftest import write_image
from tests.training.test_perceptual import tiny_config

# Fastest for two or three steps on CPU: XLA compiling costs TensorFlow more
# than it saves, while JAX without jit runs op by op.
_JIT_COMPILE = keras.backend.backend() == "jax"


def _config(root, vgg_weights, **kw):
    values = dict(content=os.path.join(root, "photos"),
                  model_dir=os.path.join(root, "run"), learning_rate=1e-2,
                  vgg_weights=vgg_weights, jit_compile=_JIT_COMPILE)
    values.update(kw)
    return tiny_config(finetune.AddStylesConfig, **values)


def _painting(root):
    return os.path.join(root, "new", "new_style.png")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A folder with photos/ and new/new_style.png."""
    root = tmp_path_factory.mktemp("finetune")
    for i in range(3):
        write_image(str(root / "photos" / f"photo{i}.jpg"), 40, 48, seed=i)
    write_image(str(root / "new" / "new_style.png"), 64, 64, seed=20)
    return str(root)


@pytest.fixture(scope="module")
def added(inputs, model_dir, real_vgg_weights):
    """The config of a 2-step run adding new_style to `model_dir`."""
    config = _config(inputs, real_vgg_weights)
    finetune.add_styles(model_dir, [_painting(inputs)], config)
    return config


def test_old_styles_paint_bit_identically_after_adding_a_style(
        added, model_dir):
    base, _, _ = folder_io.read(model_dir)
    extended, _, _ = folder_io.read(added.model_dir)
    assert transformer_net.num_styles_of(extended) == 4
    for index in range(3):
        np.testing.assert_array_equal(paint_style(extended, index),
                                      paint_style(base, index))


def test_convolutions_stay_bit_identical_and_only_new_rows_change(
        added, model_dir):
    base, _, _ = folder_io.read(model_dir)
    extended, _, _ = folder_io.read(added.model_dir)
    for layer in base.layers:
        if isinstance(layer, keras.layers.Conv2D):
            np.testing.assert_array_equal(
                extended.get_layer(layer.name).get_weights()[0],
                layer.get_weights()[0])
    mean_rows = style_tables.mean_style_rows(base, 1)
    moved = False
    for (gamma, beta), (new_gamma, new_beta), (mean_gamma, _) in zip(
            style_tables.style_tables(base),
            style_tables.style_tables(extended), mean_rows):
        np.testing.assert_array_equal(new_gamma[:3], gamma)
        np.testing.assert_array_equal(new_beta[:3], beta)
        moved = moved or not np.array_equal(new_gamma[3:], mean_gamma)
    assert moved


def test_styles_json_marks_new_styles_and_records_the_finetune(
        added, model_dir, inputs):
    styles, config = folder_io.read_styles(added.model_dir)
    assert [(s.name, s.added_by_finetuning) for s in styles] == [
        *((name, False) for name in TEST_STYLE_NAMES), ("new_style", True)]
    assert config["alpha"] == 0.125
    record = config["finetuning"][-1]
    assert record["base_model"] == os.path.abspath(model_dir)
    assert record["styles"] == [os.path.abspath(_painting(inputs))]
    assert (record["num_steps"], record["alpha"]) == (2, 0.125)


def test_rerun_resumes_from_the_newest_checkpoint(added, model_dir, inputs,
                                                  tmp_path):
    # A copy of the run: the module's other tests read the 2-step one.
    run = shutil.copytree(added.model_dir, str(tmp_path / "run"))
    finetune.add_styles(model_dir, [_painting(inputs)], dataclasses.replace(
        added, model_dir=run,
        schedule=dataclasses.replace(added.schedule, num_steps=3)))
    assert checkpoint.latest(run).endswith("ckpt-00000003.npz")
    _, styles, _ = folder_io.read(run)
    assert len(styles) == 4


def test_refuses_to_resume_on_another_base(added, model_dir, inputs,
                                           tmp_path):
    other = shutil.copytree(model_dir, str(tmp_path / "other"))
    with pytest.raises(ValueError, match="different `base_model`"):
        finetune.add_styles(other, [_painting(inputs)], added)


def test_config_defaults_suit_learning_a_few_rows():
    config = finetune.AddStylesConfig(content="photos", model_dir="run")
    assert (config.schedule.num_steps, config.schedule.learning_rate) == (
        2000, 1e-2)
    assert not hasattr(config, "network")  # The base model's width.


def test_config_rejects_a_bad_value_naming_it():
    with pytest.raises(errors.ArgumentError,
                       match="`image_size` must be at least 16") as caught:
        _config("root", None, image_size=8)
    assert caught.value.arguments == ("image_size",)


def test_no_paintings_are_refused(inputs, model_dir):
    with pytest.raises(errors.ArgumentError, match="`paintings` needs"):
        finetune.add_styles(model_dir, [], _config(inputs, None))


def test_new_style_net_trains_only_rows_that_start_from_the_mean(model_dir):
    base, _, _ = folder_io.read(model_dir)
    net = finetune.build_new_style_net(base, 2)
    norms = transformer_net.conditional_norm_layers(net)
    assert {id(v) for v in net.trainable_variables} == {
        id(v) for norm in norms for v in (norm.gamma, norm.beta)}
    for (gamma, beta), (mean_gamma, mean_beta) in zip(
            style_tables.style_tables(net),
            style_tables.mean_style_rows(base, 2)):
        np.testing.assert_array_equal(gamma, mean_gamma)
        np.testing.assert_array_equal(beta, mean_beta)


def test_new_style_loss_drops_over_a_few_steps(model_dir, real_vgg_weights,
                                               shared_data):
    base, _, _ = folder_io.read(model_dir)
    vgg = vgg_features.VGGFeatures(real_vgg_weights)
    layers = list(vgg_features.DEFAULT_STYLE_LAYERS)
    painting = os.path.join(shared_data, "styles", "the_scream.jpg")
    grams = style_targets.compute_style_grams(
        vgg.extractor(layers), [style_targets.load_style_image(painting, 64)])
    model = trainer_lib.MultiStyleTrainer(
        finetune.build_new_style_net(base, 1), vgg, grams,
        content_layers=vgg_features.DEFAULT_CONTENT_LAYERS,
        content_weight=1.0, style_layer_weights=dict.fromkeys(layers, 1.0),
        style_coefficients=np.ones(1, np.float32), tv_weight=0.0)
    model.compile(optimizer=keras.optimizers.Adam(
        finetune.AddStylesConfig.schedule.learning_rate))
    batch = (np.random.default_rng(0).random((2, 32, 32, 3), np.float32),
             np.ones((2, 1), np.float32))
    losses = [float(model.train_on_batch(batch, return_dict=True)["loss"])
              for _ in range(8)]
    assert losses[-1] < 0.8 * losses[0], losses


@pytest.mark.parametrize("change,error,message", [
    ({"paintings": ["/nonexistent/painting.jpg"]}, FileNotFoundError,
     "Style image not found"),
    ({"base_model": "/nonexistent/model"}, FileNotFoundError,
     "/nonexistent/model"),
    ({"model_dir": "BASE"}, errors.ArgumentError, "is the base model"),
])
def test_bad_input_is_refused(inputs, model_dir, tmp_path, change, error,
                              message):
    values = {"base_model": model_dir, "paintings": [_painting(inputs)],
              "model_dir": str(tmp_path / "run")}
    values.update({k: model_dir if v == "BASE" else v
                   for k, v in change.items()})
    config = _config(inputs, None, model_dir=values["model_dir"])
    with pytest.raises(error, match=message):
        finetune.add_styles(values["base_model"], values["paintings"],
                            config)


def test_new_style_named_like_a_base_style_is_refused(inputs, model_dir,
                                                      tmp_path):
    clash = write_image(str(tmp_path / "Starry Night.png"), 32, 32)
    config = _config(inputs, None, model_dir=str(tmp_path / "run"))
    with pytest.raises(ValueError, match=r"already has style\(s\) named "
                                         r"\['starry_night'\]"):
        finetune.add_styles(model_dir, [clash], config)


def test_base_model_without_style_tables_is_refused(inputs, tmp_path):
    base = tmp_path / "plain"
    base.mkdir()
    images = keras.Input((None, None, 3))
    keras.Model(images, keras.layers.Conv2D(3, 3)(images)).save(
        str(base / "model.keras"))
    folder_io.write_styles(str(base), [style_set.Style("a")])
    config = _config(inputs, None, model_dir=str(tmp_path / "run"))
    with pytest.raises(ValueError, match="no ConditionalInstanceNorm"):
        finetune.add_styles(str(base), [_painting(inputs)], config)


class _FirstRows(keras.callbacks.Callback):
    """The new style's rows when training begins."""

    rows = None

    def on_train_begin(self, logs=None):
        self.rows = style_tables.style_tables(self.model.transformer)


def _first_rows(model_dir, inputs, tmp_path, init_rows):
    first = _FirstRows()
    finetune.add_styles(model_dir, [_painting(inputs)], _config(
        inputs, None, model_dir=str(tmp_path / init_rows),
        init_rows=init_rows), callbacks=[first])
    return first.rows


def test_init_rows_mean_starts_from_the_mean_of_the_base_rows(
        model_dir, inputs, tmp_path):
    base, _, _ = folder_io.read(model_dir)
    for (gamma, beta), (mean_gamma, mean_beta) in zip(
            _first_rows(model_dir, inputs, tmp_path, "mean"),
            style_tables.mean_style_rows(base, 1)):
        np.testing.assert_array_equal(gamma, mean_gamma)
        np.testing.assert_array_equal(beta, mean_beta)


def test_new_rows_start_from_a_blend_of_the_base_rows_by_default(
        model_dir, inputs, tmp_path):
    assert finetune.AddStylesConfig(
        content="photos", model_dir="run").adding.init_rows == (
            "closest_blend")
    base, _, _ = folder_io.read(model_dir)
    rows = _first_rows(model_dir, inputs, tmp_path, "closest_blend")
    # Some weights on the simplex give these rows: solve on one table.
    gamma = style_tables.style_tables(base)[0][0]
    weights = np.linalg.lstsq(gamma.T, rows[0][0][0], rcond=None)[0]
    assert weights.min() > -1e-4
    assert weights.sum() == pytest.approx(1.0, abs=1e-4)
    for (new_gamma, new_beta), blended in zip(
            rows, style_tables.blended_style_rows(base, weights[None])):
        np.testing.assert_allclose(new_gamma, blended[0], atol=1e-4)
        np.testing.assert_allclose(new_beta, blended[1], atol=1e-4)
