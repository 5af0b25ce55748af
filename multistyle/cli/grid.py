"""Draws one picture of a photo in every style of a model, with blends.

The photo comes first, then one cell per style, labelled with its name;
--interpolate adds a strip of blends from one style to the next. It shows
at a glance which names --style and --weights take (as multistyle-styles
lists them) and what each looks like. Without --model and --input it uses
the shipped model and the sample photo.

Examples:
    multistyle-grid --input=photo.jpg --output=grid.jpg
    multistyle-grid --input=photo.jpg --output=strip.jpg \\
        --styles=udnie,great_wave --interpolate=starry_night,great_wave
"""

import time

from absl import flags

from multistyle.io import std_streams
from multistyle.inference import grid
from multistyle.inference import stylize_jobs
from multistyle.inference import stylizer as stylizer_lib
from multistyle.cli import app_runner
from multistyle.cli import inference_flags
from multistyle.cli import report

_DEFAULT_OUTPUT = "grid.jpg"
_STYLES = flags.DEFINE_list(
    "styles", None, "Styles to show, by name or index. Default: all.")
_INTERPOLATE = flags.DEFINE_list(
    "interpolate", None,
    "Two or more styles for an interpolation strip below the grid, e.g. "
    "starry_night,great_wave.")
_STEPS = flags.DEFINE_integer(
    "steps", grid.DEFAULT_STEPS,
    "Images from one interpolated style to the next, ends included.")
_CELL_SIZE = flags.DEFINE_integer(
    "cell_size", grid.DEFAULT_CELL_SIZE, "Long side of each image, pixels.")
_COLUMNS = flags.DEFINE_integer(
    "columns", None,
    "Images per row. Default: the length of the interpolation strip (at "
    "most 8), or a near-square layout.")
flags.adopt_module_key_flags(report)
# The shared flags this tool reads (not the style ones of stylize/video).
for _name in ("model", "input", "output", "precision", "preserve_color",
              "stroke_scale", "runtime"):
    flags.declare_key_flag(_name)


def main():
    stylizer_lib.check_options(
        stroke_scale=inference_flags.STROKE_SCALE.value)
    output = inference_flags.OUTPUT.value or _DEFAULT_OUTPUT
    report.check_stdout_free(output)
    jobs, is_batch = stylize_jobs.plan(inference_flags.input_path(), output)
    if is_batch:
        raise ValueError("--input must be one photo, not a folder or glob.")
    job = jobs[0]
    stylize_jobs.check_writable(jobs)
    stylizer = stylizer_lib.Stylizer(inference_flags.model_dir(),
                                    inference_flags.PRECISION.value,
                                    runtime=inference_flags.RUNTIME.value)
    photo = std_streams.image_source(job.source)
    start = time.perf_counter()
    sheet = grid.make_grid(
        stylizer, photo, styles=_STYLES.value,
        interpolate=_INTERPOLATE.value, steps=_STEPS.value,
        cell_size=_CELL_SIZE.value, columns=_COLUMNS.value,
        preserve_color=inference_flags.PRESERVE_COLOR.value,
        stroke_scale=inference_flags.STROKE_SCALE.value)
    std_streams.save(job.destination, sheet)
    info = report.file_info(job.destination, sheet)
    report.emit("multistyle-grid", model=stylizer.model_dir,
                input=job.source, output=info,
                styles=_STYLES.value or stylizer.style_names,
                interpolate=_INTERPOLATE.value or [],
                stroke_scale=inference_flags.STROKE_SCALE.value,
                seconds={"paint": round(time.perf_counter() - start, 3),
                         "total": report.seconds_since_start()})
    report.say(f"Wrote {report.destination(job.destination)} "
               f"({info['width']}x{info['height']}, "
               f"{report.seconds_since_start():.1f} s)", job.destination)
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
