"""Peak memory (and time) of stylizing a large photo, tiled and untiled.

Each configuration runs in a fresh child process, because the peak
resident set size (`getrusage` `ru_maxrss`) only ever grows. For each it
reports the resident memory before stylizing (Python, Keras, the model and
the input photo), the peak during `Stylizer.stylize`, and the peak of
numpy/Python allocations alone (`tracemalloc`: photo, output, blend
buffers; the backend's own tensors are not traced).

    KERAS_BACKEND=tensorflow python benchmarks/tiling_memory.py
    python benchmarks/tiling_memory.py --sizes=8000 --alphas=1.0 \\
        --tile_sizes=1024

Prints a Markdown table.
"""

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

from absl import app
from absl import flags
import numpy as np

_SIZES = flags.DEFINE_list("sizes", ["2048", "8000"],
                           "Sides of the square test photos, pixels.")
_ALPHAS = flags.DEFINE_list("alphas", ["0.25"], "Network width multipliers.")
_TILE_SIZES = flags.DEFINE_list(
    "tile_sizes", ["0", "1024"],
    "Tile sides to compare; 0 is untiled (skipped above --max_untiled).")
_OVERLAP = flags.DEFINE_integer("overlap", 128, "Tile overlap, pixels.")
_MAX_UNTILED = flags.DEFINE_integer(
    "max_untiled", 2048, "Largest side to run untiled (memory grows fast).")
_NUM_STYLES = flags.DEFINE_integer("num_styles", 16, "Styles of the model.")
_CHILD = flags.DEFINE_string("child", None,
                             "Internal: run one configuration (JSON).")


def _rss_mb():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _photo(size):
    """A smooth random uint8 photo, built without float temporaries."""
    from PIL import Image  # pylint: disable=g-import-not-at-top

    small = np.random.default_rng(0).integers(
        0, 256, (max(2, size // 64), max(2, size // 64), 3), np.uint8)
    return np.asarray(Image.fromarray(small).resize(
        (size, size), Image.Resampling.BILINEAR))


def _run_child(config):
    # Imported here so that the parent process stays small and fast.
    # pylint: disable=g-import-not-at-top
    import keras

    from multistyle.inference import stylizer
    from multistyle.model_folder import folder_io
    from multistyle.model_folder import style_set
    from multistyle.network import transformer_net

    num_styles = config["num_styles"]
    net = transformer_net.build_transformer_net(num_styles,
                                                alpha=config["alpha"])
    with tempfile.TemporaryDirectory() as model_dir:
        folder_io.write(
            model_dir, net,
            [style_set.Style(f"style{i}") for i in range(num_styles)],
            {"alpha": config["alpha"]})
        del net
        model = stylizer.Stylizer(model_dir)
    photo = _photo(config["size"])
    weights = np.eye(num_styles, dtype=np.float32)[0]
    # Warm up (first-call overheads) on a small image, outside the peak.
    model.stylize(photo[:64, :64], weights, tile_size=0)
    before = _rss_mb()
    tracemalloc.start()
    start = time.perf_counter()
    out = model.stylize(photo, weights, tile_size=config["tile_size"],
                        tile_overlap=config["overlap"])
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert out.size == (config["size"], config["size"])
    config.update(
        backend=keras.backend.backend(), seconds=seconds, rss_before=before,
        peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        traced_peak=traced_peak)
    print(json.dumps(config))


def _configs():
    for size in (int(s) for s in _SIZES.value):
        for alpha in (float(a) for a in _ALPHAS.value):
            for tile_size in (int(t) for t in _TILE_SIZES.value):
                if tile_size == 0 and size > _MAX_UNTILED.value:
                    continue
                yield dict(size=size, alpha=alpha, tile_size=tile_size,
                           overlap=_OVERLAP.value,
                           num_styles=_NUM_STYLES.value)


def main(argv):
    del argv
    if _CHILD.value:
        _run_child(json.loads(_CHILD.value))
        return
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, backend: "
          f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}")
    print("| photo | alpha | tiles | seconds | RSS before MiB "
          "| peak RSS MiB | numpy peak MiB |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for config in _configs():
        result = subprocess.run(
            [sys.executable, __file__, f"--child={json.dumps(config)}"],
            capture_output=True, text=True, check=False)
        tiles = (f"{config['tile_size']} / {config['overlap']}"
                 if config["tile_size"] else "untiled")
        row = f"| {config['size']}x{config['size']} | {config['alpha']} " \
              f"| {tiles} "
        lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
        if result.returncode or not lines:
            error = (result.stderr.strip().splitlines() or ["?"])[-1]
            print(f"{row}| failed: {error[:80]} | | | |", flush=True)
            continue
        r = json.loads(lines[-1])
        print(f"{row}| {r['seconds']:.1f} | {r['rss_before']:.0f} "
              f"| {r['peak_rss']:.0f} | {r['traced_peak']:.0f} |", flush=True)


if __name__ == "__main__":
    app.run(main)
