"""Frames per second of video stylization at 1280x720 (untrained nets).

Times `video_stylizer.stylize_frames` on in-memory frames (network, uint8
conversions and, where listed, smoothing or a per-pixel mask), after one
warm-up batch that compiles the network; and, with --end_to_end, the
whole `stylize_video` (decode, stylize, x264 encode with audio) of a
synthetic clip. Prints a Markdown table.

    KERAS_BACKEND=jax python benchmarks/video_fps.py
    python benchmarks/video_fps.py --alphas=0.25 --frames=16
"""

import os
import platform
import tempfile
import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle.network import transformer_net
from multistyle.video import temporal_smoothing
from multistyle.video import video_io
from multistyle.video import video_stylizer

_SIZE = flags.DEFINE_list("size", ["720", "1280"], "Frame height, width.")
_ALPHAS = flags.DEFINE_list("alphas", ["1.0", "0.25"], "Network widths.")
_BATCH_SIZES = flags.DEFINE_list("batch_sizes", ["1", "4"],
                                 "Frames per forward pass.")
_FRAMES = flags.DEFINE_integer("frames", 8, "Timed frames per row.")
_NUM_STYLES = flags.DEFINE_integer("num_styles", 16, "Styles of the net.")
_END_TO_END = flags.DEFINE_bool("end_to_end", True,
                                "Also time stylize_video on an mp4 file.")


def _network(alpha):
    net = transformer_net.build_transformer_net(_NUM_STYLES.value,
                                                alpha=alpha)
    twin = transformer_net.spatial_twin(net)

    def network(images, weights):
        model = twin if np.ndim(weights) == 4 else net
        return np.asarray(model.predict_on_batch([images, weights]),
                          np.float32)

    return network


def _frames(height, width, count):
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (height, width, 3), np.uint8)
    return [np.roll(base, 3 * i, axis=1) for i in range(count)]


def _time(network, frames, weights, batch_size, smoothing=0.0):
    def run(items):
        smoother = temporal_smoothing.MotionAwareSmoother(smoothing) \
            if smoothing else None
        for _ in video_stylizer.stylize_frames(
                network, items, weights, fps=24, batch_size=batch_size,
                smoother=smoother):
            pass

    run(frames[:batch_size])  # Compiles.
    start = time.perf_counter()
    run(frames)
    return len(frames) / (time.perf_counter() - start)


def _end_to_end(network, frames, weights, batch_size):
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "clip.mp4")
        video_io.write_video(source, frames, fps=24)
        start = time.perf_counter()
        _, count = video_stylizer.stylize_video(
            network, source, os.path.join(tmp, "out.mp4"), weights,
            batch_size=batch_size)
        return count / (time.perf_counter() - start)


def main(argv):
    del argv
    height, width = (int(v) for v in _SIZE.value)
    num_styles = _NUM_STYLES.value
    frames = _frames(height, width, _FRAMES.value)
    mix = np.eye(num_styles, dtype=np.float32)[0]
    mask = np.zeros((height, width, num_styles), np.float32)
    mask[:, :width // 2, 0] = 1.0
    mask[:, width // 2:, 1] = 1.0
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs (shared), backend: "
          f"{keras.backend.backend()}, {width}x{height}, {num_styles} styles,"
          f" untrained networks")
    print("| alpha | batch | weights | frames/s |")
    print("|---:|---:|---|---:|")
    for alpha in (float(a) for a in _ALPHAS.value):
        network = _network(alpha)
        for batch_size in (int(b) for b in _BATCH_SIZES.value):
            fps = _time(network, frames, mix, batch_size)
            print(f"| {alpha:g} | {batch_size} | one mix | {fps:.2f} |",
                  flush=True)
        batch_size = int(_BATCH_SIZES.value[-1])
        rows = [("one mix + smoothing 0.8",
                 lambda: _time(network, frames, mix, batch_size, 0.8)),
                ("two-region mask",
                 lambda: _time(network, frames, mask, batch_size))]
        if _END_TO_END.value:
            rows.append(("one mix, mp4 file to file",
                         lambda: _end_to_end(network, frames, mix,
                                             batch_size)))
        for label, measure in rows:
            print(f"| {alpha:g} | {batch_size} | {label} | {measure():.2f} |",
                  flush=True)


if __name__ == "__main__":
    app.run(main)
