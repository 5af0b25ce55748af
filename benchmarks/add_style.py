"""How long adding one style to a trained model takes (training.add_styles).

One backend per process, from the repository root:

    PYTHONPATH=. python benchmarks/add_style.py --vgg_weights=VGG19_WEIGHTS

Runs the real `add_styles` (photos decoded and cropped, checkpoints,
TensorBoard) on a base model: `--base_model`, or else a random network of
`--alpha` with `--num_base_styles` styles (the speed is the same; its
losses say less). Prints a Markdown table with one row per
`--steps_per_checkpoint` steps (seconds, steps/s, mean losses of those
steps), then the setup and total times.
"""

import os
import platform
import shutil
import tempfile
import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle import training
from multistyle.cli import common_flags
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from multistyle.training import config as config_lib

_BASE_MODEL = flags.DEFINE_string(
    "base_model", None, "Model folder to extend; default: a random one.")
_NUM_BASE_STYLES = flags.DEFINE_integer(
    "num_base_styles", 16, "Styles of the random base model.")
_ALPHA = flags.DEFINE_float("alpha", 0.5, "Width of the random base model.")
_CONTENT = flags.DEFINE_string(
    "content", "../shared/data/content_train/bsds500", "Content photos.")
_ADD_STYLES = flags.DEFINE_list(
    "add_styles", ["../shared/data/styles/the_scream.jpg"],
    "Paintings to add.")
_STYLE_IMAGE_SIZE = flags.DEFINE_integer("style_image_size", 256,
                                         "Short side of the paintings.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 4, "Images per step.")
_NUM_STEPS = flags.DEFINE_integer("num_steps", 200, "Training steps.")
_STEPS_PER_CHECKPOINT = flags.DEFINE_integer(
    "steps_per_checkpoint", 50, "Steps per table row (and checkpoint).")
_LEARNING_RATE = flags.DEFINE_float(
    "learning_rate", training.AddStylesConfig.schedule.learning_rate,
    "Adam rate.")
_MIXED_PRECISION = flags.DEFINE_bool("mixed_precision", False,
                                     "Train with mixed_bfloat16.")
_WORKERS = flags.DEFINE_integer("workers", 2, "Data loading threads.")


class _Timer(keras.callbacks.Callback):
    """Wall times of training start, each epoch end, and its loss logs."""

    def __init__(self):
        super().__init__()
        self.start = None
        self.epochs = []  # (seconds since start, logs)

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((time.perf_counter() - self.start, dict(logs)))


def _random_base(directory, num_styles, alpha):
    keras.utils.set_random_seed(0)
    net = transformer_net.build_transformer_net(num_styles, alpha=alpha)
    rng = np.random.default_rng(0)
    for norm in transformer_net.conditional_norm_layers(net):
        norm.gamma.assign(rng.uniform(0.5, 1.5, norm.gamma.shape))
        norm.beta.assign(rng.normal(0.0, 0.5, norm.beta.shape))
    folder_io.write(
        directory, net,
        [style_set.Style(f"style{i}") for i in range(num_styles)],
        {"alpha": alpha})
    return directory


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    work = tempfile.mkdtemp(prefix="add_style_bench.")
    try:
        base = _BASE_MODEL.value or _random_base(
            os.path.join(work, "base"), _NUM_BASE_STYLES.value, _ALPHA.value)
        spc = _STEPS_PER_CHECKPOINT.value
        config = training.AddStylesConfig(
            content=_CONTENT.value, model_dir=os.path.join(work, "run"),
            data=config_lib.Data(image_size=common_flags.IMAGE_SIZE.value,
                                 batch_size=_BATCH_SIZE.value,
                                 workers=_WORKERS.value),
            schedule=config_lib.Schedule(
                num_steps=_NUM_STEPS.value, steps_per_checkpoint=spc,
                learning_rate=_LEARNING_RATE.value, summary_every=spc,
                mixed_precision=_MIXED_PRECISION.value),
            loss=config_lib.Loss(
                style_image_size=_STYLE_IMAGE_SIZE.value,
                content_layers=common_flags.CONTENT_LAYERS.value,
                style_layers=common_flags.STYLE_LAYERS.value,
                vgg_weights=common_flags.VGG_WEIGHTS.value))
        timer = _Timer()
        began = time.perf_counter()
        net = training.add_styles(base, _ADD_STYLES.value, config,
                                  callbacks=[timer])
        total = time.perf_counter() - began
    finally:
        shutil.rmtree(work, ignore_errors=True)

    setup = timer.start - began
    print(f"\nAdd {len(_ADD_STYLES.value)} style(s): backend "
          f"{keras.backend.backend()}, {platform.processor() or 'cpu'} "
          f"x{os.cpu_count()}, alpha={net.alpha}, "
          f"{config.data.image_size} px, batch {config.data.batch_size}, "
          f"{config.schedule.dtype_policy}\n")
    print("| steps | seconds | steps/s | loss | content | style |")
    print("|------:|--------:|--------:|-----:|--------:|------:|")
    previous = 0.0
    for i, (seconds, logs) in enumerate(timer.epochs):
        print(f"| {(i + 1) * spc} | {seconds:.1f} | "
              f"{spc / (seconds - previous):.2f} | {logs['loss']:.4g} | "
              f"{logs['content_loss']:.4g} | {logs['style_loss']:.4g} |")
        previous = seconds
    train_seconds = timer.epochs[-1][0]
    print(f"\nSetup (base model, VGG-19, style targets) {setup:.1f} s; "
          f"training {train_seconds:.1f} s "
          f"({config.schedule.num_steps / train_seconds:.2f} steps/s, "
          "first step "
          "compiles); "
          f"total with writing the model {total:.1f} s. Losses are means "
          "over each row's steps.")


if __name__ == "__main__":
    flags.FLAGS.set_default("image_size", 128)
    app.run(main)
