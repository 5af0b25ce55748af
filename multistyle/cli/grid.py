"""One picture of a photo in every style of a model (multistyle-grid).

Example:
    multistyle-grid --input=photo.jpg --output=grid.jpg \\
        --interpolate=starry_night,great_wave --steps=5
"""

from absl import app
from absl import flags

from multistyle.inference import grid
from multistyle import image_io
from multistyle.inference import stylize_jobs
from multistyle.inference import stylizer as stylizer_lib
from multistyle.cli import app_runner
from multistyle.cli import inference_flags

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


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    output = inference_flags.OUTPUT.value or _DEFAULT_OUTPUT
    jobs, is_batch = stylize_jobs.plan(inference_flags.input_path(), output)
    if is_batch:
        raise ValueError("--input must be one photo, not a folder or glob.")
    stylizer = stylizer_lib.Stylizer(inference_flags.model_dir(),
                                    inference_flags.PRECISION.value)
    stylize_jobs.check_writable(jobs)
    sheet = grid.make_grid(
        stylizer, jobs[0].source, styles=_STYLES.value,
        interpolate=_INTERPOLATE.value, steps=_STEPS.value,
        cell_size=_CELL_SIZE.value, columns=_COLUMNS.value,
        preserve_color=inference_flags.PRESERVE_COLOR.value)
    image_io.save_image(jobs[0].destination, sheet)
    print(f"Wrote {jobs[0].destination}")
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
