import dataclasses

import pytest

from multistyle import errors
from multistyle.training import config as config_lib

_GROUPS = (config_lib.Data, config_lib.Schedule, config_lib.Loss,
           config_lib.Network, config_lib.Devices)


def test_from_scratch_defaults():
    schedule, network = config_lib.Schedule(), config_lib.Network()
    assert (schedule.num_steps, schedule.learning_rate, network.alpha) == (
        40000, 1e-3, 1.0)


def test_one_photo_loading_thread_overlaps_the_step_by_default():
    assert config_lib.Data().workers == 2


def test_sequences_are_stored_as_tuples():
    loss = config_lib.Loss(style_layer_weights=[1, 2, 3, 4, 5],
                           content_layers=["block3_conv1"])
    assert loss.style_layer_weights == (1, 2, 3, 4, 5)
    assert loss.content_layers == ("block3_conv1",)


@pytest.mark.parametrize("group", _GROUPS)
def test_every_field_has_help(group):
    for field in dataclasses.fields(group):
        assert field.metadata.get("help"), field.name


def test_groups_name_each_field_once():
    names = [f.name for group in _GROUPS for f in dataclasses.fields(group)]
    assert len(names) == len(set(names))


def test_mixed_precision_picks_the_bfloat16_policy():
    assert config_lib.Schedule(mixed_precision=True).dtype_policy == (
        "mixed_bfloat16")
    assert config_lib.Schedule().dtype_policy == "float32"


@pytest.mark.parametrize("group, change, arguments, message", [
    (config_lib.Data, dict(batch_size=0), ("batch_size",),
     r"`batch_size` must be at least 1\. Received: batch_size=0"),
    (config_lib.Data, dict(max_photo_size=16), ("max_photo_size",
                                                "image_size"),
     "`max_photo_size` must be 0 or at least `image_size`"),
    (config_lib.Data, dict(holdout_every=-1), ("holdout_every",),
     "at least 0"),
    (config_lib.Schedule, dict(warmup_steps=-1), ("warmup_steps",),
     "`warmup_steps` must be at least 0"),
    (config_lib.Schedule, dict(final_learning_rate_fraction=1.5),
     ("final_learning_rate_fraction",), "in \\[0, 1\\]"),
    (config_lib.Schedule, dict(num_steps=3, steps_per_checkpoint=2),
     ("num_steps", "steps_per_checkpoint"),
     "`num_steps` must be a multiple of `steps_per_checkpoint`"),
    (config_lib.Loss, dict(droplet_weight=-0.1), ("droplet_weight",),
     "`droplet_weight` must be at least 0"),
    (config_lib.Loss, dict(style_layer_weights=(1.0, 2.0)),
     ("style_layer_weights",), "`style_layer_weights` needs 1 or 5"),
    (config_lib.Loss, dict(style_image_size=8), ("style_image_size",),
     "`style_image_size` must be at least 16 px"),
    (config_lib.Network, dict(normalization="batch"), ("normalization",),
     "`normalization` must be one of"),
    (config_lib.Network, dict(alpha=0.0), ("alpha",), "positive"),
    (config_lib.Devices, dict(distribution="mirrored"), ("distribution",),
     "one of auto, none, data_parallel"),
    (config_lib.Devices, dict(num_processes=-1), ("num_processes",),
     "at least 0"),
])
def test_bad_values_are_argument_errors_naming_the_field(
        group, change, arguments, message):
    with pytest.raises(errors.ArgumentError, match=message) as caught:
        group(**change)
    assert caught.value.arguments == arguments


def test_errors_name_flags_for_the_command_line():
    with pytest.raises(errors.ArgumentError) as caught:
        config_lib.Data(batch_size=0)
    assert caught.value.message(lambda name: f"--{name}") == (
        "--batch_size must be at least 1. Received: --batch_size=0")


def test_check_image_size_names_the_field_of_the_crops():
    with pytest.raises(errors.ArgumentError,
                       match="`image_size` must be at least 16 px") as e:
        config_lib.Loss().check_image_size(config_lib.Data(image_size=8),
                                           "image_size")
    assert e.value.arguments == ("image_size",)


def test_flat_puts_the_groups_fields_in_place_of_the_groups():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Run(config_lib.RunConfig):
        loss: config_lib.Loss = config_lib.Loss()

    record = config_lib.flat(Run(content="photos", model_dir="run"))
    assert record["content"] == "photos"
    assert record["num_steps"] == 40000
    assert record["content_layers"] == ["block4_conv2"]
    assert "schedule" not in record and "loss" not in record
