"""Paints every frame of a video in a trained model's styles
(multistyle-video).

Examples:
    multistyle-video --input=clip.mp4 --output=out.mp4 --style=great_wave
    multistyle-video --input=clip.mp4 --output=out.mp4 \\
        --keyframes="0:starry_night;4:great_wave;9:starry_night=1,great_wave=1"
    multistyle-video --input=clip.mp4 --output=out.mp4 --mask=sky.png \\
        --mask_styles=starry_night,great_wave --temporal_smoothing=0.8

The output keeps the frame rate and the audio of the input and is written
atomically: interrupted, it leaves no partial file. Bad flags, a missing
model or an unreadable video exit with code 2.
"""

import time

from absl import app
from absl import flags
import keras

from multistyle.video import keyframes
from multistyle.inference import stylizer as stylizer_lib
from multistyle.video import temporal_smoothing
from multistyle.video import video_io
from multistyle.video import video_stylizer
from multistyle.cli import app_runner
from multistyle.cli import inference_flags

DEFAULT_OUTPUT = "stylized.mp4"
# --help lists the shared flags (--model, --input, --weights, --mask, ...).
flags.adopt_module_key_flags(inference_flags)

_KEYFRAMES = flags.DEFINE_string(
    "keyframes", None,
    "Style mixes over time: TIME:MIX entries separated by semicolons, TIME "
    "in seconds, MIX a style name or a --weights mix, e.g. "
    "'0:starry_night;4.5:great_wave;9:starry_night=0.5,great_wave=0.5'. "
    "Between keyframes the weights ease (smoothstep) from one mix to the "
    "next; before the first and after the last they hold.")
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", video_stylizer.DEFAULT_BATCH_SIZE,
    "Frames per forward pass.")
_TEMPORAL_SMOOTHING = flags.DEFINE_float(
    "temporal_smoothing", 0.0,
    "Flicker reduction, 0 (off) to below 1: where the source is static, "
    "keep up to this share of the previous stylized frame; moving parts "
    "are not blended, so they leave no trails. 0.8 is a good start; with "
    "--keyframes static parts follow a style change a few frames late.")
_MOTION_THRESHOLD = flags.DEFINE_float(
    "motion_threshold", temporal_smoothing.DEFAULT_THRESHOLD,
    "Source change (mean absolute difference of 4x4 blocks, 0 to 1) at "
    "which --temporal_smoothing counts a pixel as moving; raise it for "
    "noisy video.")
_QUALITY = flags.DEFINE_integer(
    "quality", video_io.DEFAULT_QUALITY,
    "Encoder quality, 1 (smallest file) to 10 (best).")


def _weights(stylizer):
    """A weight vector, keyframes or a per-pixel map, from the flags."""
    style_names = stylizer.style_names
    normalize = inference_flags.NORMALIZE.value
    mask = inference_flags.mask_weights(style_names)
    if _KEYFRAMES.value is not None:
        if mask is not None or inference_flags.WEIGHTS.value or \
                inference_flags.STYLE.value:
            raise ValueError(
                "Give either --keyframes or a constant mix (--weights, "
                "--style or --mask), not both.")
        return keyframes.parse(_KEYFRAMES.value, style_names,
                               normalize=normalize)
    if mask is not None:
        return mask
    return stylizer.weights(inference_flags.WEIGHTS.value,
                            inference_flags.STYLE.value, normalize=normalize)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if not inference_flags.INPUT.value:
        raise ValueError("--input=VIDEO is required: the video to stylize.")
    output = inference_flags.OUTPUT.value or DEFAULT_OUTPUT
    video_io.check_output_path(output)
    video_stylizer.check_options(_BATCH_SIZE.value,
                                 _TEMPORAL_SMOOTHING.value,
                                 _MOTION_THRESHOLD.value, _QUALITY.value)
    info = video_io.probe(inference_flags.INPUT.value)
    stylizer = stylizer_lib.Stylizer(inference_flags.model_dir(),
                                    inference_flags.PRECISION.value)
    weights = _weights(stylizer)
    progress = keras.utils.Progbar(
        max(1, round(info.duration * info.fps)), unit_name="frame",
        stateful_metrics=["frames/s"])
    start = time.perf_counter()

    def rate(done):
        return [("frames/s", done / (time.perf_counter() - start))]

    def on_frame(done):
        if done < progress.target:  # The target is an estimate.
            progress.update(done, rate(done))

    _, count = video_stylizer.stylize_video(
        stylizer.network, inference_flags.INPUT.value, output, weights,
        batch_size=_BATCH_SIZE.value,
        smoothing=_TEMPORAL_SMOOTHING.value,
        motion_threshold=_MOTION_THRESHOLD.value,
        preserve_color=inference_flags.PRESERVE_COLOR.value,
        quality=_QUALITY.value, on_frame=on_frame)
    seconds = time.perf_counter() - start
    progress.target = count
    progress.update(count, rate(count), finalize=True)
    print(f"Wrote {output}: {count} frames at {info.fps:g} fps"
          f"{' with audio' if info.audio_codec else ''} "
          f"({count / seconds:.2f} frames/s).")
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
