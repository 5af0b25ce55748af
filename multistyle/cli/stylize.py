"""Paints photos in the styles of a trained model, or in any blend of them.

Each photo goes through the network once, painted in one style (--style) or
a mix of several (--weights, by style name or one value per style); style
masks paint regions in different styles, --strength and --preserve_color
keep some of the photo, and --stroke_scale sets the size of the strokes.
Without --model and --input it paints the sample photo that ships with
multistyle with the shipped 16-style model; --model takes a model folder or
a shipped model's name (multistyle16_lite; multistyle-styles --model=NAME
lists its styles). A folder or glob is painted file by file (a bad file is
reported and skipped, exit code 1); bad flags, a missing model or an
unreadable photo exit with code 2.

Examples:
    multistyle-stylize --input=photo.jpg --output=painted.jpg --style=udnie
    multistyle-stylize --input=photo.jpg --output=blend.jpg \\
        --weights=starry_night=0.7,great_wave=0.3 --stroke_scale=2
    cat photo.jpg | multistyle-stylize --input=- --output=- > painted.png
"""

import sys
import time

from absl import flags

from multistyle.inference import stylize_jobs
from multistyle.inference import stylizer as stylizer_lib
from multistyle.inference import tiling
from multistyle.cli import app_runner
from multistyle.cli import inference_flags
from multistyle.cli import report

# Shared with multistyle-video, so defined once in inference_flags; --help
# lists them all the same.
flags.adopt_module_key_flags(inference_flags)
_STRENGTH = flags.DEFINE_float(
    "strength", 1.0,
    "How much style, 0 to 1: 1 is the network's output, 0 the photo.")
_MAX_SIZE = flags.DEFINE_integer(
    "max_size", None,
    "Downsize photos whose long side is larger than this many pixels.")
_TILE_SIZE = flags.DEFINE_integer(
    "tile_size", tiling.DEFAULT_TILE_SIZE,
    "Stylize larger images in overlapping tiles of this side, pixels, to "
    "bound memory; 0 never tiles.")
_TILE_OVERLAP = flags.DEFINE_integer(
    "tile_overlap", tiling.DEFAULT_OVERLAP,
    "Overlap of neighbouring tiles, pixels, blended smoothly.")
flags.adopt_module_key_flags(report)
# --runtime=auto runs ONNX or TFLite up to this many photos: TFLite starts
# ~5 s sooner than TensorFlow but paints ~0.25 s slower per 640x448 photo
# on 2 cores (BENCHMARKS.md, start-up); for more, the SavedModel or Keras.
MAX_TFLITE_PHOTOS = 16


def _options():
    return dict(strength=_STRENGTH.value, max_size=_MAX_SIZE.value,
                tile_size=_TILE_SIZE.value, tile_overlap=_TILE_OVERLAP.value,
                stroke_scale=inference_flags.STROKE_SCALE.value)


def _paint(stylizer, jobs, weights, batch):
    """`stylize_jobs.run` with a progress bar for a batch; returns the
    --json summaries of the files written and failed."""
    progress = batch and report.progress_bar(len(jobs), "image")
    done, failed = stylize_jobs.run(
        jobs, lambda photo: stylizer.stylize(
            photo, weights,
            preserve_color=inference_flags.PRESERVE_COLOR.value,
            **_options()),
        batch, on_done=progress and (lambda n: progress(n, n == len(jobs))))
    for _, message in failed:
        print(f"Failed: {message}", file=sys.stderr)
    return ([{"input": job.source, **report.file_info(job.destination, image),
              "seconds": round(seconds, 3)} for job, image, seconds in done],
            [{"input": job.source, "error": message}
             for job, message in failed])


def _describe_mix(styles):
    if "masks" in styles:
        return "style masks"
    return " + ".join(f"{name} {w:.2g}" if len(styles) > 1 else name
                      for name, w in styles.items())


def main():
    stylizer_lib.check_options(**_options())
    output = inference_flags.OUTPUT.value
    report.check_stdout_free(output)
    jobs, batch = stylize_jobs.plan(inference_flags.input_path(), output)
    start = time.perf_counter()
    stylizer = stylizer_lib.Stylizer(
        inference_flags.model_dir(), inference_flags.PRECISION.value,
        runtime=inference_flags.RUNTIME.value,
        batched=len(jobs) > MAX_TFLITE_PHOTOS)
    load_seconds = time.perf_counter() - start
    choice = inference_flags.style_choice(stylizer.style_names)
    weights = inference_flags.weights(choice)
    stylize_jobs.check_writable(jobs)
    written, failed = _paint(stylizer, jobs, weights, batch)
    styles = inference_flags.style_summary(choice, stylizer.style_names)
    report.emit("multistyle-stylize", model=stylizer.model_dir,
                runtime=stylizer.runtime, styles=styles,
                stroke_scale=inference_flags.STROKE_SCALE.value,
                outputs=written, failed=failed,
                seconds={"load_model": round(load_seconds, 3),
                         "stylize": round(sum(w["seconds"]
                                              for w in written), 3),
                         "total": report.seconds_since_start()})
    if not batch:
        done = written[0]
        report.say(f"Wrote {report.destination(done['path'])} "
                   f"({done['width']}x{done['height']}, "
                   f"{_describe_mix(styles)}, "
                   f"{report.seconds_since_start():.1f} s)", output)
        return 0
    folder = output or stylize_jobs.DEFAULT_OUTPUT_FOLDER
    report.say(f"Wrote {len(written)} of {len(jobs)} images to {folder} "
               f"({report.seconds_since_start():.1f} s)")
    if failed:
        print(f"{len(failed)} of {len(jobs)} images failed (listed above).",
              file=sys.stderr)
        return 1
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
