import dataclasses

import pytest

from multistyle.training import config as config_lib


def _config(**kw):
    values = dict(content="photos", styles=["a.jpg"], model_dir="run")
    values.update(kw)
    return config_lib.TrainConfig(**values)


def test_from_scratch_defaults():
    config = _config()
    assert (config.num_steps, config.learning_rate, config.alpha) == (
        40000, 1e-3, 1.0)


def test_adding_styles_has_its_own_defaults():
    config = _config(base_model="m16")
    assert (config.num_steps, config.learning_rate, config.alpha) == (
        2000, 1e-2, None)


def test_given_values_beat_the_context_defaults():
    config = _config(base_model="m16", num_steps=10, learning_rate=0.5)
    assert (config.num_steps, config.learning_rate) == (10, 0.5)


def test_one_photo_loading_thread_overlaps_the_step_by_default():
    assert _config().workers == 2


def test_sequences_are_stored_as_tuples():
    config = _config(style_layer_weights=[1, 2], content_layers=["a"])
    assert config.style_layer_weights == (1, 2)
    assert config.content_layers == ("a",)


def test_replace_keeps_resolved_defaults():
    config = dataclasses.replace(_config(base_model="m16"), alpha=0.5)
    assert (config.num_steps, config.alpha) == (2000, 0.5)


def test_every_field_has_help():
    for field in dataclasses.fields(config_lib.TrainConfig):
        assert field.metadata.get("help"), field.name


@pytest.mark.parametrize("change, message", [
    (dict(batch_size=0), r"`batch_size` must be at least 1\. Received: "
                         r"batch_size=0"),
    (dict(warmup_steps=-1), "`warmup_steps` must not be negative"),
    (dict(droplet_weight=-0.1), "`droplet_weight` must not be negative"),
    (dict(final_learning_rate_fraction=1.5), "`final_learning_rate"),
    (dict(max_photo_size=16), "`max_photo_size` must be 0 or at least "
                              "`image_size`"),
    (dict(init_from="a", base_model="b"), "exclude each other"),
    (dict(teacher="a", base_model="b"), "`teacher` and `base_model`"),
    (dict(styles=[]), "`styles` needs at least one"),
    (dict(num_steps=3, steps_per_checkpoint=2),
     "`num_steps` must be a multiple of `steps_per_checkpoint`"),
    (dict(image_size=8), "`image_size` and `style_image_size` must be at "
                         "least 16 px"),
    (dict(style_layer_weights=(1.0, 2.0)), "`style_layer_weights` needs 1 "
                                           "or 5"),
])
def test_bad_values_name_the_field(change, message):
    values = dict(image_size=32, style_image_size=32, num_steps=2,
                  steps_per_checkpoint=1)
    values.update(change)
    with pytest.raises(ValueError, match=message):
        _config(**values).validate()
