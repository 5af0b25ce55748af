"""Measures flicker of stylized video, and what temporal smoothing does.

A synthetic clip: a smooth random background that stays still (with or
without per-frame sensor noise), a disc and a bar moving across it. Every
frame is stylized on its own (`video_stylizer.stylize_frames`), then
filtered by `temporal_smoothing.MotionAwareSmoother` at several strengths,
and, for contrast, by a motion-blind running average (the same blend
everywhere), which is what ghosting looks like.

Columns:
- flicker: mean |change between consecutive frames| of the output divided
  by that of the source (1 = moves as much as the video).
- static change: mean |change between consecutive frames| of the output
  over the pixels no moving object touches, in uint8 levels (the source's
  own is shown as the filter "source"; 0 without noise).
- trail: mean |output - per-frame stylization| over the pixels the objects
  cover or just left, in uint8 levels (ghosting; 0 = none).

    KERAS_BACKEND=jax python benchmarks/video_flicker.py
    python benchmarks/video_flicker.py --model=saved_models/multistyle16

Without --model the network is untrained (random conditional norm tables,
like the tests' models); trained networks flicker differently.
"""

import platform

from absl import app
from absl import flags
import keras
import numpy as np
from PIL import Image

from multistyle.inference import stylizer as stylizer_lib
from multistyle.network import transformer_net
from multistyle.video import temporal_smoothing
from multistyle.video import video_stylizer

_MODEL = flags.DEFINE_string(
    "model", None, "A model folder; default: an untrained network.")
_ALPHA = flags.DEFINE_float("alpha", 0.25, "Width of the untrained network.")
_SIZE = flags.DEFINE_list("size", ["192", "320"], "Clip height, width.")
_FRAMES = flags.DEFINE_integer("frames", 24, "Clip length.")
_NOISE = flags.DEFINE_list("noise", ["0", "2"],
                           "Sensor noise std devs (uint8 levels) to test.")
_STRENGTHS = flags.DEFINE_list("strengths", ["0.5", "0.8", "0.9"],
                               "MotionAwareSmoother strengths.")


def _clip(height, width, num_frames, noise, seed=0):
    """(frames, moving masks): masks cover where an object is or just was."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8, width // 8, 3), np.uint8)
    background = np.asarray(Image.fromarray(small).resize(
        (width, height), Image.Resampling.BICUBIC), np.float32)
    yy, xx = np.mgrid[:height, :width]
    frames, moving, previous = [], [], None
    for i in range(num_frames):
        frame = background + rng.normal(0.0, noise, background.shape)
        disc = ((yy - height * 0.35) ** 2
                + (xx - width * (0.15 + 0.025 * i)) ** 2) < (height * 0.1) ** 2
        bar = (np.abs(yy - height * (0.3 + 0.015 * i)) < height * 0.05) & \
            (np.abs(xx - width * 0.7) < width * 0.08)
        frame[disc] = (250, 220, 40)
        frame[bar] = (30, 40, 200)
        objects = disc | bar
        moving.append(objects if previous is None else objects | previous)
        previous = objects
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames, moving


class _RunningAverage:
    """Motion-blind baseline: the same blend with the previous output
    everywhere."""

    def __init__(self, strength):
        self.strength, self._output = strength, None

    def __call__(self, source, stylized):
        if self._output is not None:
            stylized = stylized + self.strength * (self._output - stylized)
        self._output = stylized
        return stylized


def _network():
    if _MODEL.value:
        stylizer = stylizer_lib.Stylizer(_MODEL.value)
        return stylizer.network, stylizer.num_styles, _MODEL.value
    keras.utils.set_random_seed(0)
    net = transformer_net.build_transformer_net(3, alpha=_ALPHA.value)
    rng = np.random.default_rng(0)
    for norm in transformer_net.conditional_norm_layers(net):
        norm.gamma.assign(rng.uniform(0.5, 1.5, norm.gamma.shape))
        norm.beta.assign(rng.normal(0.0, 0.5, norm.beta.shape))
    return (lambda images, weights: np.asarray(
        net.predict_on_batch([images, weights]), np.float32), 3,
        f"untrained alpha={_ALPHA.value:g}")


def _static_change(outputs, moving):
    static = ~np.any(moving, axis=0)
    return 255.0 * float(np.mean([
        temporal_smoothing.frame_change(a[static], b[static])
        for a, b in zip(outputs, outputs[1:])]))


def _trail(raw, outputs, moving):
    return float(np.mean([np.abs(o[m].astype(np.float32)
                                 - r[m].astype(np.float32)).mean()
                          for r, o, m in zip(raw, outputs, moving)]))


def main(argv):
    del argv
    height, width = (int(v) for v in _SIZE.value)
    network, num_styles, name = _network()
    weights = np.eye(num_styles, dtype=np.float32)[0]
    print(f"machine: {platform.processor() or platform.machine()}, backend: "
          f"{keras.backend.backend()}, network: {name}, clip: "
          f"{_FRAMES.value} frames {width}x{height}")
    print("| source noise | filter | flicker | static change | trail |")
    print("|---:|---|---:|---:|---:|")
    for noise in _NOISE.value:
        frames, moving = _clip(height, width, _FRAMES.value, float(noise))
        raw = list(video_stylizer.stylize_frames(network, frames, weights,
                                                 fps=24))
        print(f"| {noise} | source | 1.00 "
              f"| {_static_change(frames, moving):.2f} | |")
        filters = [("none", None)]
        filters += [(f"motion-aware {s}",
                     temporal_smoothing.MotionAwareSmoother(float(s)))
                    for s in _STRENGTHS.value]
        filters += [("running average 0.8 (motion-blind)",
                     _RunningAverage(0.8))]
        for label, smoother in filters:
            outputs = raw if smoother is None else [
                np.clip(smoother(f, r / 255.0) * 255.0 + 0.5, 0, 255)
                .astype(np.uint8) for f, r in zip(frames, raw)]
            print(f"| {noise} | {label} "
                  f"| {temporal_smoothing.flicker_ratio(frames, outputs):.2f}"
                  f" | {_static_change(outputs, moving):.2f} "
                  f"| {_trail(raw, outputs, moving):.1f} |", flush=True)


if __name__ == "__main__":
    app.run(main)
