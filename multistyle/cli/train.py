"""Trains one network on many painting styles (multistyle-train).

Example:
    multistyle-train --flagfile=configs/tiny.cfg --model_dir=/tmp/tiny

Add styles to a trained model, keeping its styles bit for bit:
    multistyle-train --base_model=/tmp/tiny --add_styles=scream.jpg \
        --content=photos/ --model_dir=/tmp/tiny_plus_scream

Continue training a trained model (all weights, fresh optimizer):
    multistyle-train --flagfile=configs/cpu_long16.cfg \
        --init_from=saved_models/multistyle16 --model_dir=/tmp/longer

Rerun the same command to resume from the newest checkpoint.
"""

from absl import app
from absl import flags
from absl import logging

from multistyle.training import finetune
from multistyle.training import train as training
from multistyle.cli import app_runner
from multistyle.cli import common_flags

_CONTENT = flags.DEFINE_string(
    "content", None,
    "Content photos: a folder (searched recursively for jpg/png/webp/bmp), "
    "a glob, or tfds:NAME[:SPLIT] (needs TensorFlow).")
_STYLES = flags.DEFINE_list(
    "styles", None,
    "Style paintings: image files, folders or globs, comma-separated. "
    "Style names come from the file names.")
_BASE_MODEL = flags.DEFINE_string(
    "base_model", None,
    "Add styles to this trained model folder (model.keras + styles.json) "
    "instead of training from scratch: only the --add_styles' gamma/beta "
    "rows train, so the base styles and all convolutions stay bit-identical "
    "and --alpha comes from the base. Unless given, --num_steps defaults to "
    f"{finetune.DEFAULT_NUM_STEPS} and --learning_rate to "
    f"{finetune.DEFAULT_LEARNING_RATE} here. The model with the base styles "
    "and then the new ones is written to --model_dir.")
_ADD_STYLES = flags.DEFINE_list(
    "add_styles", None,
    "With --base_model: paintings to learn as new styles (image files, "
    "folders or globs), named after their files.")
_INIT_FROM = flags.DEFINE_string(
    "init_from", None,
    "Warm start: begin with the whole network of this trained model folder "
    "(same styles in the same order, same --alpha) instead of random "
    "weights; everything trains, with a fresh optimizer (use "
    "--warmup_steps). Ignored when --model_dir already has checkpoints.")
_MODEL_DIR = flags.DEFINE_string(
    "model_dir", None, "Output folder: checkpoints, logs/, model.keras.")
_STYLE_IMAGE_SIZE = flags.DEFINE_integer(
    "style_image_size", 256, "Short side of the style images, pixels.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 16, "Images per step.")
_NUM_STEPS = flags.DEFINE_integer(
    "num_steps", 40000,
    f"Training steps ({finetune.DEFAULT_NUM_STEPS} with --base_model).")
_STEPS_PER_CHECKPOINT = flags.DEFINE_integer(
    "steps_per_checkpoint", 1000,
    "Steps between checkpoints (and sample images); divides --num_steps.")
_LEARNING_RATE = flags.DEFINE_float(
    "learning_rate", 1e-3,
    f"Adam rate ({finetune.DEFAULT_LEARNING_RATE} with --base_model).")
_WARMUP_STEPS = flags.DEFINE_integer(
    "warmup_steps", 0, "Steps of linear learning-rate warmup from 0.")
_FINAL_LEARNING_RATE_FRACTION = flags.DEFINE_float(
    "final_learning_rate_fraction", 1.0,
    "Cosine-decay the learning rate to this fraction of --learning_rate at "
    "--num_steps; 1.0 keeps it constant.")
_CLIP_NORM = flags.DEFINE_float(
    "clip_norm", 0.0, "Clip gradients to this global norm (0: no clipping).")
_MAX_PHOTO_SIZE = flags.DEFINE_integer(
    "max_photo_size", 0,
    "Random scale augmentation: resize each photo to a random short side "
    "between --image_size and this before cropping, so strokes are learned "
    "at the scale of larger photos (0: always --image_size).")
_ALPHA = flags.DEFINE_float(
    "alpha", 1.0,
    "Width multiplier of the network (0.25: lite model); with --base_model, "
    "the base model's.")
_CONTENT_WEIGHT = flags.DEFINE_float("content_weight", 1.0,
                                     "Content loss weight.")
_STYLE_WEIGHT = flags.DEFINE_float("style_weight", 1.0,
                                   "Style loss weight (all layers).")
_STYLE_LAYER_WEIGHTS = flags.DEFINE_list(
    "style_layer_weights", ["1.0"],
    "Per-layer style weights: one value for all, or one per style layer.")
_STYLE_COEFFICIENTS = flags.DEFINE_list(
    "style_coefficients", [],
    "Optional per-style multipliers of the style loss, one per style.")
_TV_WEIGHT = flags.DEFINE_float("tv_weight", 0.0,
                                "Total variation loss weight.")
_MIXED_PRECISION = flags.DEFINE_bool(
    "mixed_precision", False, "Train with the mixed_bfloat16 policy.")
_JIT_COMPILE = flags.DEFINE_bool("jit_compile", True,
                                 "Compile train steps with XLA.")
_SUMMARY_EVERY = flags.DEFINE_integer(
    "summary_every", 50, "Steps between TensorBoard scalar summaries.")
_SEED = flags.DEFINE_integer("seed", 0, "Random seed.")
_WORKERS = flags.DEFINE_integer("workers", 2,
                                "Threads that decode and crop photos.")


def _floats(values, flag):
    try:
        return tuple(float(v) for v in values)
    except ValueError as e:
        raise ValueError(f"--{flag} takes numbers; got {values}.") from e


def _unless_given(flag, add_style_default):
    """The flag's value, or the add-style default if it was not given."""
    if _BASE_MODEL.value and not flags.FLAGS[flag.name].present:
        return add_style_default
    return flag.value


def _styles_to_learn():
    """--styles, or --add_styles with --base_model; raises UsageError."""
    if not _BASE_MODEL.value:
        if _ADD_STYLES.value:
            raise app.UsageError("--add_styles needs --base_model.")
        if not _STYLES.value:
            raise app.UsageError(
                "Give --styles, or --base_model and --add_styles.")
        return _STYLES.value
    if not _ADD_STYLES.value:
        raise app.UsageError("--base_model needs --add_styles.")
    if _STYLES.value:
        logging.warning("Ignoring --styles: with --base_model the base "
                        "styles are kept and --add_styles are learned.")
    return _ADD_STYLES.value


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    config = training.TrainConfig(
        content=_CONTENT.value,
        styles=_styles_to_learn(),
        model_dir=_MODEL_DIR.value,
        base_model=_BASE_MODEL.value or "",
        init_from=_INIT_FROM.value or "",
        holdout_every=common_flags.HOLDOUT_EVERY.value,
        image_size=common_flags.IMAGE_SIZE.value,
        max_photo_size=_MAX_PHOTO_SIZE.value,
        style_image_size=_STYLE_IMAGE_SIZE.value,
        batch_size=_BATCH_SIZE.value,
        num_steps=_unless_given(_NUM_STEPS, finetune.DEFAULT_NUM_STEPS),
        steps_per_checkpoint=_STEPS_PER_CHECKPOINT.value,
        learning_rate=_unless_given(_LEARNING_RATE,
                                    finetune.DEFAULT_LEARNING_RATE),
        warmup_steps=_WARMUP_STEPS.value,
        final_learning_rate_fraction=_FINAL_LEARNING_RATE_FRACTION.value,
        clip_norm=_CLIP_NORM.value,
        alpha=_unless_given(_ALPHA, None),  # None: the base model's.
        content_layers=tuple(common_flags.CONTENT_LAYERS.value),
        style_layers=tuple(common_flags.STYLE_LAYERS.value),
        content_weight=_CONTENT_WEIGHT.value,
        style_weight=_STYLE_WEIGHT.value,
        style_layer_weights=_floats(_STYLE_LAYER_WEIGHTS.value,
                                    "style_layer_weights"),
        style_coefficients=_floats(_STYLE_COEFFICIENTS.value,
                                   "style_coefficients"),
        tv_weight=_TV_WEIGHT.value,
        mixed_precision=_MIXED_PRECISION.value,
        jit_compile=_JIT_COMPILE.value,
        vgg_weights=common_flags.VGG_WEIGHTS.value,
        summary_every=_SUMMARY_EVERY.value,
        seed=_SEED.value,
        workers=_WORKERS.value,
    )
    if config.base_model:
        finetune.add_styles(config)
    else:
        training.train(config)


def run():
    flags.mark_flags_as_required(["content", "model_dir"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
