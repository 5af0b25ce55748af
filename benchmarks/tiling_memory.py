"""Peak memory (and time) of stylizing a large photo, tiled and untiled.

Each configuration runs in a fresh child process, because the peak
resident set size (`getrusage` `ru_maxrss`) only ever grows. For each it
reports the resident memory before stylizing (Python, Keras, the model and
the input photo), the peak during `Stylizer.stylize`, and the peak of
numpy/Python allocations alone (`tracemalloc`: photo, output, blend
buffers; the backend's own tensors are not traced).

`--masks=0,1` paints each configuration without and with a style mask
(one uint8 mask of the photo's size, white: style 0, black: style 1,
with a soft boundary down the middle), row after row, `--repeats` times,
and ends with the with/without ratios of time and peak memory: on a
shared machine, rows run back to back see the same load.

    KERAS_BACKEND=tensorflow python benchmarks/tiling_memory.py
    python benchmarks/tiling_memory.py --sizes=8000 --alphas=1.0 \\
        --tile_sizes=1024
    python benchmarks/tiling_memory.py --sizes=8000 --tile_sizes=1024 \\
        --masks=0,1 --repeats=2

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
_MASKS = flags.DEFINE_list(
    "masks", ["0"],
    "0: paint with a weight vector; 1: with a style mask (two styles). "
    "0,1 runs both, back to back.")
_REPEATS = flags.DEFINE_integer(
    "repeats", 1, "Runs of each configuration (the --masks rows alternate).")
_CHILD = flags.DEFINE_string("child", None,
                             "Internal: run one configuration (JSON).")


def _rss_mb():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _enlarged(small, size):
    """A small uint8 image enlarged to `size` x `size` (bilinear), built
    without float temporaries."""
    from PIL import Image  # pylint: disable=g-import-not-at-top

    return np.asarray(Image.fromarray(small).resize(
        (size, size), Image.Resampling.BILINEAR))


def _photo(size):
    """A smooth random uint8 photo."""
    side = max(2, size // 64)
    return _enlarged(np.random.default_rng(0).integers(
        0, 256, (side, side, 3), np.uint8), size)


def _mask(size):
    """A uint8 mask: white on the left, black on the right, blending over
    the middle sixteenth of the width."""
    small = np.zeros((2, 16), np.uint8)
    small[:, :8] = 255
    return _enlarged(small, size)


def _run_child(config):
    # Imported here so that the parent process stays small and fast.
    # pylint: disable=g-import-not-at-top
    import keras

    from multistyle.inference import style_masks
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
    styles = np.eye(num_styles, dtype=np.float32)
    weights = styles[0]
    # Warm up (first-call overheads) on a small image, outside the peak.
    model.stylize(photo[:64, :64], weights, tile_size=0)
    if config["mask"]:
        mask = _mask(config["size"])
        weights = style_masks.StyleMasks([mask], styles[:2])
        # The network with per-pixel weights is another function to trace.
        model.stylize(photo[:64, :64], style_masks.StyleMasks(
            [mask[:64, :64]], styles[:2]), tile_size=0)
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
                for _ in range(_REPEATS.value):
                    for mask in (int(m) for m in _MASKS.value):
                        yield dict(size=size, alpha=alpha,
                                   tile_size=tile_size,
                                   overlap=_OVERLAP.value,
                                   num_styles=_NUM_STYLES.value, mask=mask)


def _print_ratios(results):
    """With/without mask ratios of time and peak RSS, per configuration,
    from the rows in run order (each mask row paired with the row
    without a mask just before or after it)."""
    pairs = {}
    previous = None
    for r in results:
        if previous is not None and previous["mask"] != r["mask"] and all(
                previous[k] == r[k] for k in ("size", "alpha", "tile_size")):
            plain, masked = sorted([previous, r], key=lambda x: x["mask"])
            key = (r["size"], r["alpha"], r["tile_size"])
            pairs.setdefault(key, []).append(
                (masked["seconds"] / plain["seconds"],
                 masked["peak_rss"] / plain["peak_rss"]))
            previous = None
            continue
        previous = r
    for (size, alpha, tile_size), ratios in pairs.items():
        times = ", ".join(f"{t:.2f}" for t, _ in ratios)
        memory = ", ".join(f"{m:.2f}" for _, m in ratios)
        print(f"{size}x{size}, alpha {alpha}, tiles {tile_size}: with/"
              f"without mask, time {times}; peak RSS {memory}")


def main(argv):
    del argv
    if _CHILD.value:
        _run_child(json.loads(_CHILD.value))
        return
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, backend: "
          f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}")
    print("| photo | alpha | tiles | mask | seconds | RSS before MiB "
          "| peak RSS MiB | numpy peak MiB |")
    print("|---|---:|---|---|---:|---:|---:|---:|")
    results = []
    for config in _configs():
        result = subprocess.run(
            [sys.executable, __file__, f"--child={json.dumps(config)}"],
            capture_output=True, text=True, check=False)
        tiles = (f"{config['tile_size']} / {config['overlap']}"
                 if config["tile_size"] else "untiled")
        row = f"| {config['size']}x{config['size']} | {config['alpha']} " \
              f"| {tiles} | {'yes' if config['mask'] else 'no'} "
        lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
        if result.returncode or not lines:
            error = (result.stderr.strip().splitlines() or ["?"])[-1]
            print(f"{row}| failed: {error[:80]} | | | |", flush=True)
            continue
        r = json.loads(lines[-1])
        results.append(r)
        print(f"{row}| {r['seconds']:.1f} | {r['rss_before']:.0f} "
              f"| {r['peak_rss']:.0f} | {r['traced_peak']:.0f} |", flush=True)
    _print_ratios(results)


if __name__ == "__main__":
    app.run(main)
