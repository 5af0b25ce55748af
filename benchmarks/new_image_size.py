"""What a new image size costs: one model, a sequence of photo sizes.

Loads a model folder the way `multistyle-stylize` does (SavedModel on
TensorFlow, `model.keras` on JAX, whose sizes are padded to shape
buckets, see `multistyle.inference.shape_buckets`) and times each call in
order, so the first call of every new size shows what compiling or
retracing costs:

    KERAS_BACKEND=jax python benchmarks/new_image_size.py
    KERAS_BACKEND=tensorflow python benchmarks/new_image_size.py

Prints a Markdown table: size, its bucket, ms.
"""

import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle.inference import networks
from multistyle.inference import shape_buckets

_MODEL = flags.DEFINE_string("model", "saved_models/multistyle16",
                             "Model folder.")
_SIZES = flags.DEFINE_list(
    "sizes", ["480x640", "480x640", "481x640", "470x630", "470x630",
              "500x666", "600x800", "600x800", "1024x768", "1000x750",
              "480x640"],
    "HxW sizes, timed in this order.")
_PRECISION = flags.DEFINE_enum("precision", "float32",
                               list(networks.PRECISIONS), "Compute dtype.")


def main(argv):
    del argv
    network = networks.load_network(_MODEL.value, _PRECISION.value)
    weights = np.eye(network.num_styles, dtype="float32")[:1]
    print(f"backend: {keras.backend.backend()}, network: "
          f"{type(network).__name__}, {_PRECISION.value}")
    print("| call | size | bucket | ms |")
    print("|---:|---|---|---:|")
    for call, size in enumerate(_SIZES.value, 1):
        height, width = (int(v) for v in size.split("x"))
        images = np.random.default_rng(call).random((1, height, width, 3),
                                                    "float32")
        start = time.perf_counter()
        network(images, weights)
        elapsed = time.perf_counter() - start
        bucket = (f"{shape_buckets.bucket_side(height)}x"
                  f"{shape_buckets.bucket_side(width)}")
        print(f"| {call} | {size} | {bucket} | {elapsed * 1e3:.0f} |",
              flush=True)


if __name__ == "__main__":
    app.run(main)
