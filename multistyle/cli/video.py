"""Paints every frame of a video in a trained model's styles.

The output keeps the input's frame rate and audio. The style can be one
style or a mix (--style, --weights), change over time (--keyframes, eased
from one mix to the next), or differ by region (--mask); --stroke_scale
sets the stroke size and --temporal_smoothing reduces flicker: it carries
the previous painted frame along the optical flow and blends it in where
the flow is reliable. The file is written atomically: interrupted, it
leaves no partial file. Bad flags, a missing model or an unreadable video
exit with code 2.

Examples:
    multistyle-video --input=clip.mp4 --output=painted.mp4 --style=great_wave
    multistyle-video --input=clip.mp4 --output=painted.mp4 \\
        --style=starry_night --temporal_smoothing=0.8
    multistyle-video --input=clip.mp4 --output=painted.mp4 \\
        --keyframes="0:starry_night;4:great_wave;9:starry_night=1,udnie=1"
"""

import time

from absl import flags

from multistyle.video import keyframes
from multistyle.inference import stylizer as stylizer_lib
from multistyle.video import temporal_smoothing
from multistyle.video import video_io
from multistyle.video import video_stylizer
from multistyle.cli import app_runner
from multistyle.cli import inference_flags
from multistyle.cli import report

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
    "Flicker reduction, 0 (off) to below 1: keep up to this share of the "
    "previous painted frame, moved along the optical flow (see "
    "--smoothing_method). Occluded, newly uncovered and mismatched pixels "
    "and scene cuts are painted fresh, so moving things leave no trails. "
    "0.8 brings the temporal warping error below half of per-frame "
    "painting's (BENCHMARKS.md); with --keyframes the picture follows a "
    "style change a few frames late.")
flags.register_validator(
    "temporal_smoothing", lambda value: 0.0 <= value < 1.0,
    "--temporal_smoothing must be at least 0 (off) and below 1.")
_SMOOTHING_METHOD = flags.DEFINE_enum(
    "smoothing_method", video_stylizer.DEFAULT_SMOOTHING_METHOD,
    video_stylizer.SMOOTHING_METHODS,
    "How --temporal_smoothing blends: 'flow' warps the previous painted "
    "frame along the dense optical flow (OpenCV DIS) and blends where the "
    "flow is reliable; 'static' blends only where the source did not "
    "change (anything that moves flickers as before).")
_MOTION_THRESHOLD = flags.DEFINE_float(
    "motion_threshold", temporal_smoothing.DEFAULT_THRESHOLD,
    "With --smoothing_method=static: source change (mean absolute "
    "difference of 4x4 blocks, 0 to 1) at which a pixel counts as moving; "
    "raise it for noisy video.")
_QUALITY = flags.DEFINE_integer(
    "quality", video_io.DEFAULT_QUALITY,
    "Encoder quality, 1 (smallest file) to 10 (best).")
flags.adopt_module_key_flags(report)


def _weights(choice, style_names):
    """A weight vector, keyframes or a per-pixel map, from the flags."""
    if choice.argument == "keyframes":
        return keyframes.parse(_KEYFRAMES.value, style_names,
                               normalize=inference_flags.NORMALIZE.value)
    return inference_flags.weights(choice)


def main():
    output = inference_flags.OUTPUT.value or DEFAULT_OUTPUT
    video_io.check_paths(inference_flags.INPUT.value, output)
    video_stylizer.check_options(_BATCH_SIZE.value,
                                 _TEMPORAL_SMOOTHING.value,
                                 _MOTION_THRESHOLD.value, _QUALITY.value,
                                 inference_flags.STROKE_SCALE.value,
                                 _SMOOTHING_METHOD.value)
    info = video_io.probe(inference_flags.INPUT.value)
    stylizer = stylizer_lib.Stylizer(
        inference_flags.model_dir(), inference_flags.PRECISION.value,
        runtime=inference_flags.RUNTIME.value, batched=True)
    choice = inference_flags.style_choice(stylizer.style_names,
                                          keyframes=_KEYFRAMES.value)
    weights = _weights(choice, stylizer.style_names)
    # The frame count is an estimate, so the bar ends at the count.
    progress = report.progress_bar(round(info.duration * info.fps), "frame")
    start = time.perf_counter()
    _, count = video_stylizer.stylize_video(
        stylizer.network, inference_flags.INPUT.value, output, weights,
        batch_size=_BATCH_SIZE.value,
        smoothing=_TEMPORAL_SMOOTHING.value,
        motion_threshold=_MOTION_THRESHOLD.value,
        preserve_color=inference_flags.PRESERVE_COLOR.value,
        quality=_QUALITY.value, stroke_scale=inference_flags.STROKE_SCALE.value,
        on_frame=progress, smoothing_method=_SMOOTHING_METHOD.value)
    seconds = time.perf_counter() - start
    progress(count, final=True)
    report.emit("multistyle-video", model=stylizer.model_dir,
                runtime=stylizer.runtime, input=inference_flags.INPUT.value,
                output={**report.file_info(output), "width": info.width,
                        "height": info.height, "frames": count,
                        "fps": info.fps, "audio": bool(info.audio_codec)},
                styles=inference_flags.style_summary(
                    choice, stylizer.style_names, _KEYFRAMES.value),
                stroke_scale=inference_flags.STROKE_SCALE.value,
                seconds={"paint": round(seconds, 3),
                         "total": report.seconds_since_start()})
    report.say(f"Wrote {output}: {count} frames at {info.fps:g} fps"
               f"{' with audio' if info.audio_codec else ''} "
               f"({count / seconds:.2f} frames/s, "
               f"{report.seconds_since_start():.1f} s).")
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
