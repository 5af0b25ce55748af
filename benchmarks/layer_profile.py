"""Times each layer of the transformer network on its own, one image.

Answers "where does the time go": every layer runs as its own compiled
function on the activations it sees in the full network, warm, median of
`--repeats`. Run one backend per process:

    KERAS_BACKEND=tensorflow python benchmarks/layer_profile.py --size=512

Prints a Markdown table of the layer kinds (ms and share of the sum), then
the ten slowest layers. The sum exceeds the whole network's time by the
per-call overhead of ~60 separate calls.
"""

import collections
import statistics
import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle.network import transformer_net

_SIZE = flags.DEFINE_integer("size", 512, "Square image side, pixels.")
_ALPHA = flags.DEFINE_float("alpha", 1.0, "Network width multiplier.")
_PRECISION = flags.DEFINE_enum("precision", "float32",
                               ["float32", "bfloat16"], "Compute dtype.")
_REPEATS = flags.DEFINE_integer("repeats", 10, "Warm calls per layer.")
_NUM_STYLES = 16


def _compiled(fn):
    """`fn` compiled by the backend: tf.function or jax.jit."""
    if keras.backend.backend() == "jax":
        import jax  # pylint: disable=g-import-not-at-top

        return jax.jit(fn)
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    return tf.function(fn)


def _median_ms(fn, args, repeats):
    keras.ops.convert_to_numpy(fn(*args))  # Compile.
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(fn(*args))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _layer_inputs(net, images, weights):
    """The inputs each layer sees in a forward pass, by layer name."""
    layers = [layer for layer in net.layers
              if not isinstance(layer, keras.layers.InputLayer)]
    probe = keras.Model(net.inputs, [layer.input for layer in layers])
    values = probe([images, weights])
    return {layer.name: value if isinstance(value, list) else [value]
            for layer, value in zip(layers, values)}


def main(argv):
    del argv
    net = transformer_net.build_transformer_net(
        _NUM_STYLES, alpha=_ALPHA.value, dtype=_PRECISION.value)
    rng = np.random.default_rng(0)
    images = keras.ops.convert_to_tensor(
        rng.random((1, _SIZE.value, _SIZE.value, 3), "float32"))
    weights = keras.ops.convert_to_tensor(
        np.eye(_NUM_STYLES, dtype="float32")[:1])
    whole = _median_ms(_compiled(lambda x, w: net([x, w])), (images, weights),
                       _REPEATS.value)
    per_layer = {}
    for name, args in _layer_inputs(net, images, weights).items():
        layer = net.get_layer(name)
        if isinstance(layer, keras.layers.Add):  # Takes one list.
            args = [args]
        per_layer[name] = (type(layer).__name__, _median_ms(
            _compiled(layer.__call__), args, _REPEATS.value))
    by_kind = collections.defaultdict(float)
    for kind, ms in per_layer.values():
        by_kind[kind] += ms
    total = sum(by_kind.values())
    print(f"{keras.backend.backend()}, {_PRECISION.value}, alpha="
          f"{_ALPHA.value}, {_SIZE.value}x{_SIZE.value}: whole network "
          f"{whole:.1f} ms, layers one by one {total:.1f} ms")
    print("| layer kind | ms | share |")
    print("|---|---:|---:|")
    for kind, ms in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {ms:.1f} | {ms / total:.0%} |")
    print("\n| slowest layers | kind | ms |")
    print("|---|---|---:|")
    for name, (kind, ms) in sorted(per_layer.items(),
                                   key=lambda kv: -kv[1][1])[:10]:
        print(f"| {name} | {kind} | {ms:.1f} |")


if __name__ == "__main__":
    app.run(main)
