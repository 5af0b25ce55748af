"""Which photos to stylize and where each result goes.

One input file gives one output file. A folder (searched recursively) or a
glob gives a batch: every image goes into an output folder under its path
relative to the inputs' common folder, so files of the same name in
different subfolders do not collide. Paths are checked before any work
starts: output extensions, writable folders, inputs never overwritten;
`run` paints them, a bad photo in a batch skipped and reported.
"""

import dataclasses
import glob
import os
import tempfile
import time

from multistyle.io import image_io
from multistyle.io import std_streams

DEFAULT_OUTPUT_FILE = "stylized.jpg"
DEFAULT_OUTPUT_FOLDER = "stylized"


@dataclasses.dataclass(frozen=True)
class Job:
    """One photo to stylize and the file to write."""

    source: str
    destination: str


def _is_pattern(path):
    return glob.has_magic(path)


def _check_extension(path, what):
    if not path.lower().endswith(image_io.IMAGE_EXTENSIONS):
        raise ValueError(
            f"{what} {path} must end with one of "
            f"{', '.join(image_io.IMAGE_EXTENSIONS)}.")


def plan(input_path, output=None):
    """Pairs every input photo with its output path.

    Args:
        input_path: An image file, a folder, a glob pattern, or `-` for
            the photo on stdin.
        output: For one file: the output file, or an existing folder (or a
            path ending in a separator) to write into under the input's
            name; default `stylized.jpg`. For a folder or glob: the output
            folder; default `stylized`. `-`: a PNG on stdout (one photo
            only).

    Returns:
        `(jobs, is_batch)`: a list of `Job` and whether the input named
        several files (a folder or glob).

    Raises:
        FileNotFoundError: If the input does not exist or matches no image.
        ValueError: If the output has no image extension, is a file where
            a folder is needed, is stdout for several photos, or would
            overwrite an input.
    """
    if input_path == std_streams.STDIO:
        output = output or DEFAULT_OUTPUT_FILE
        if output != std_streams.STDIO:
            _check_extension(output, "Output file")
        return [Job(input_path, output)], False
    to_stdout = output == std_streams.STDIO
    jobs, is_batch = _plan_files(input_path,
                                 None if to_stdout else output)
    if to_stdout:
        if is_batch:
            raise ValueError(
                "--output=- writes one image to stdout; a folder or glob "
                "--input needs --output=FOLDER.")
        jobs = [Job(jobs[0].source, std_streams.STDIO)]
    return jobs, is_batch


def _plan_files(input_path, output):
    """`plan` for an input on disk and an output file or folder."""
    is_batch = os.path.isdir(input_path) or (
        _is_pattern(input_path) and not os.path.isfile(input_path))
    if not is_batch:
        if not os.path.exists(input_path):
            raise FileNotFoundError(f"Input {input_path} does not exist.")
        output = output or DEFAULT_OUTPUT_FILE
        if os.path.isdir(output) or output.endswith(("/", os.sep)):
            output = os.path.join(output, os.path.basename(input_path))
        _check_extension(output, "Output file")
        jobs = [Job(input_path, output)]
    else:
        sources = image_io.find_images(input_path)
        if not sources:
            raise FileNotFoundError(
                f"No images ({', '.join(image_io.IMAGE_EXTENSIONS)}) found "
                f"in {input_path}.")
        output = output or DEFAULT_OUTPUT_FOLDER
        if os.path.isfile(output):
            raise ValueError(
                f"Output {output} is a file; a folder or glob input needs an "
                "output folder.")
        base = (input_path if os.path.isdir(input_path)
                else os.path.commonpath([os.path.dirname(os.path.abspath(s))
                                         for s in sources]))
        jobs = [Job(s, os.path.join(output, os.path.relpath(
            os.path.abspath(s), os.path.abspath(base)))) for s in sources]
    for job in jobs:
        if os.path.abspath(job.source) == os.path.abspath(job.destination):
            raise ValueError(
                f"Output {job.destination} would overwrite its input; "
                "choose another `output`.")
    return jobs, is_batch


def check_writable(jobs):
    """Creates the output folders and checks that files can be written
    (and that stdout, for `-`, is not a terminal).

    Raises:
        ValueError: Naming the folder that cannot be created or written.
    """
    if any(j.destination == std_streams.STDIO for j in jobs):
        std_streams.check_writable()
    folders = sorted({os.path.dirname(os.path.abspath(j.destination))
                      for j in jobs if j.destination != std_streams.STDIO})
    for folder in folders:
        try:
            os.makedirs(folder, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")
            os.close(fd)
            os.remove(probe)
        except OSError as e:
            raise ValueError(
                f"Cannot write to output folder {folder}: "
                f"{e.strerror or e}.") from e


def run(jobs, paint, batch, on_done=None):
    """Paints every job's photo with `paint` (image in, uint8 image out)
    and writes it to the job's destination.

    Args:
        jobs: `Job`s, from `plan`.
        paint: The painting function.
        batch: Whether the jobs are a batch: then a failing photo is
            recorded and skipped; otherwise its error propagates.
        on_done: Called with the number of jobs done after each.

    Returns:
        `(written, failed)`: `(job, image, seconds)` of each written file
        and `(job, message)` of each failed one.
    """
    written, failed = [], []
    for i, job in enumerate(jobs):
        start = time.perf_counter()
        try:
            image = paint(std_streams.image_source(job.source))
            std_streams.save(job.destination, image)
        except Exception as e:  # One bad file must not stop the batch.
            if not batch:
                raise
            message = str(e) or type(e).__name__
            if job.source not in message:
                message = f"{job.source}: {message}"
            failed.append((job, message))
        else:
            written.append((job, image, time.perf_counter() - start))
        if on_done:
            on_done(i + 1)
    return written, failed
