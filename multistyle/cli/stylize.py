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

from multistyle.io import std_streams
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
# --runtime=auto runs TFLite up to this many photos: it starts ~5 s sooner
# than TensorFlow but paints ~0.25 s slower per 640x448 photo on 2 cores
# (BENCHMARKS.md, start-up), so for more the SavedModel/Keras is faster.
MAX_TFLITE_PHOTOS = 16


def _describe(job, error):
    message = str(error) or type(error).__name__
    return message if job.source in message else f"{job.source}: {message}"


def _options():
    return dict(strength=_STRENGTH.value, max_size=_MAX_SIZE.value,
                tile_size=_TILE_SIZE.value, tile_overlap=_TILE_OVERLAP.value,
                stroke_scale=inference_flags.STROKE_SCALE.value)


def _progress(done, total):
    """`done/total images` on stderr, rewritten in place on a terminal."""
    if not report.JSON.value and sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r{done}/{total} images", end=end, file=sys.stderr,
              flush=True)


def _stylize_all(stylizer, jobs, weights, batch):
    """Stylizes every job; returns `(written, failed)` summaries.

    In a batch a failing file is reported on stderr and skipped; a single
    photo's error propagates.
    """
    written, failed = [], []
    for i, job in enumerate(jobs):
        start = time.perf_counter()
        try:
            image = stylizer.stylize(
                std_streams.image_source(job.source), weights,
                preserve_color=inference_flags.PRESERVE_COLOR.value,
                **_options())
            std_streams.save(job.destination, image)
        except Exception as e:  # One bad file must not stop the batch.
            if not batch:
                raise
            failed.append({"input": job.source, "error": _describe(job, e)})
            print(f"\nFailed: {_describe(job, e)}", file=sys.stderr)
        else:
            written.append({
                "input": job.source,
                **report.file_info(job.destination, image),
                "seconds": round(time.perf_counter() - start, 3)})
        if batch:
            _progress(i + 1, len(jobs))
    return written, failed


def _describe_mix(styles):
    if "masks" in styles:
        return "style masks"
    if len(styles) == 1:
        return next(iter(styles))
    return " + ".join(f"{name} {w:.2g}" for name, w in styles.items())


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
    written, failed = _stylize_all(stylizer, jobs, weights, batch)
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
        where = ("a PNG to stdout" if done["path"] == std_streams.STDIO
                 else done["path"])
        report.say(f"Wrote {where} ({done['width']}x{done['height']}, "
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
