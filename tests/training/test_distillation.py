import os

import keras
import numpy as np
import pytest

from multistyle import errors
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from multistyle.training import distillation
from tests.conftest import save_model_of_paintings
from tests.training.test_perceptual import tiny_config


@pytest.fixture
def teacher_dir(tmp_path, style_files):
    return save_model_of_paintings(tmp_path / "teacher", style_files, seed=5)


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((2, 32, 32, 3), np.float32),
            np.eye(2, dtype=np.float32))


def test_a_student_equal_to_its_teacher_has_no_loss(teacher_dir):
    teacher, _, _ = folder_io.read(teacher_dir)
    student = transformer_net.build_transformer_net(2, alpha=0.125)
    student.set_weights(teacher.get_weights())
    model = distillation.DistillationTrainer(student, teacher, 1.0)
    images, weights = _batch()
    terms = model.loss_terms(images, weights, student([images, weights]))
    for value in terms.values():
        np.testing.assert_allclose(value, [0.0, 0.0], atol=1e-6)


def test_the_student_learns_the_teachers_paintings(teacher_dir):
    teacher, _, _ = folder_io.read(teacher_dir)
    student = transformer_net.build_transformer_net(2, alpha=0.125)
    model = distillation.DistillationTrainer(student, teacher, 1.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = [w.copy() for w in teacher.get_weights()]
    losses = [float(model.train_on_batch(_batch(), return_dict=True)["loss"])
              for _ in range(10)]
    assert losses[-1] < 0.8 * losses[0], losses
    for kept, now in zip(before, teacher.get_weights()):
        np.testing.assert_array_equal(kept, now)


def test_distilling_trains_a_smaller_network_without_vgg(
        teacher_dir, photo_dir, tmp_path, monkeypatch):
    model_dir = str(tmp_path / "student")
    # No VGG-19 weights may load: distillation has no perceptual loss.
    monkeypatch.setattr("multistyle.loss.vgg_features.VGGFeatures", None)
    net = distillation.distill(teacher_dir, tiny_config(
        distillation.DistillConfig, content=photo_dir, model_dir=model_dir,
        alpha=0.0625))
    assert net.count_params() < folder_io.read(
        teacher_dir)[0].count_params()
    styles, config = folder_io.read_styles(model_dir)
    assert style_set.names(styles) == ["red_style", "blue_style"]
    assert config["teacher"] == teacher_dir
    assert (config["alpha"], config["edge_weight"]) == (0.0625, 1.0)
    assert "vgg_weights" not in config
    assert os.path.exists(os.path.join(model_dir, "model.keras"))


def test_config_has_no_perceptual_loss_settings():
    config = distillation.DistillConfig(content="photos", model_dir="run")
    assert not hasattr(config, "loss")
    assert (config.edge_weight, config.network.alpha) == (1.0, 1.0)


def test_config_rejects_a_negative_edge_weight_naming_it():
    with pytest.raises(errors.ArgumentError,
                       match="`edge_weight` must be at least 0") as caught:
        distillation.DistillConfig(content="photos", model_dir="run",
                                   edge_weight=-1.0)
    assert caught.value.arguments == ("edge_weight",)


def test_a_warm_start_with_other_styles_than_the_teacher_is_refused(
        teacher_dir, photo_dir, style_files, tmp_path):
    other = save_model_of_paintings(tmp_path / "other",
                                    list(reversed(style_files)), seed=6)
    config = tiny_config(distillation.DistillConfig, content=photo_dir,
                         model_dir=str(tmp_path / "run"), init_from=other)
    with pytest.raises(ValueError, match=r"Cannot warm start from .*order"):
        distillation.distill(teacher_dir, config)
