"""Paints photos in a trained model's styles (multistyle-stylize).

Examples:
    multistyle-stylize --input=photo.jpg --style=great_wave
    multistyle-stylize --input=photo.jpg --output=out.png \\
        --weights=starry_night=0.7,great_wave=0.3 --strength=0.8
    multistyle-stylize --input=holiday/ --output=painted/ --weights=1,0,0
    multistyle-stylize --input=photo.jpg --mask=sky.png \\
        --mask_styles=starry_night,great_wave

A folder or glob is stylized file by file: an unreadable file is reported
and skipped, and the exit code is 1 if any failed. Bad flags, a missing
model or an unreadable single photo exit with code 2.
"""

import sys

from absl import app
from absl import flags
import keras

from multistyle import image_io
from multistyle.inference import stylize_jobs
from multistyle.inference import stylizer as stylizer_lib
from multistyle.inference import tiling
from multistyle.cli import app_runner
from multistyle.cli import inference_flags

# Shared with multistyle-video, so defined once in inference_flags; --help
# lists them all the same.
flags.adopt_module_key_flags(inference_flags)
_WEIGHTS = inference_flags.WEIGHTS
_STYLE = inference_flags.STYLE
_NORMALIZE = inference_flags.NORMALIZE
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


def _describe(job, error):
    message = str(error) or type(error).__name__
    return message if job.source in message else f"{job.source}: {message}"


def _options():
    return dict(strength=_STRENGTH.value, max_size=_MAX_SIZE.value,
                tile_size=_TILE_SIZE.value, tile_overlap=_TILE_OVERLAP.value)


def _stylize_all(stylizer, jobs, weights, batch):
    """Stylizes every job; returns how many failed.

    In a batch a failing file is reported on stderr and skipped, with a
    progress bar on stdout; a single photo's error propagates.
    """
    progress = keras.utils.Progbar(len(jobs), unit_name="image") \
        if batch else None
    failed = 0
    for i, job in enumerate(jobs):
        try:
            image = stylizer.stylize(
                job.source, weights,
                preserve_color=inference_flags.PRESERVE_COLOR.value,
                **_options())
            image_io.save_image(job.destination, image)
        except Exception as e:  # One bad file must not stop the batch.
            if not batch:
                raise
            failed += 1
            print(f"\nFailed: {_describe(job, e)}", file=sys.stderr)
        if progress is not None:
            progress.update(i + 1)
    return failed


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    stylizer_lib.check_options(**_options())
    jobs, batch = stylize_jobs.plan(inference_flags.input_path(),
                                    inference_flags.OUTPUT.value)
    stylizer = stylizer_lib.Stylizer(inference_flags.model_dir(),
                                    inference_flags.PRECISION.value)
    weights = inference_flags.mask_weights(stylizer.style_names)
    if weights is None:
        weights = stylizer.weights(_WEIGHTS.value, _STYLE.value,
                                   normalize=_NORMALIZE.value)
    stylize_jobs.check_writable(jobs)
    failed = _stylize_all(stylizer, jobs, weights, batch)
    if not batch:
        print(f"Wrote {jobs[0].destination}")
        return 0
    folder = inference_flags.OUTPUT.value or stylize_jobs.DEFAULT_OUTPUT_FOLDER
    print(f"Wrote {len(jobs) - failed} of {len(jobs)} images to {folder}")
    if failed:
        print(f"{failed} of {len(jobs)} images failed (listed above).",
              file=sys.stderr)
        return 1
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
