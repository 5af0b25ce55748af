"""One training job: its folder, its files, its state and its status.

A job is a folder `WORK_DIR/jobs/ID/` holding the painting (`NAME.png`)
and `job.json` (`Job.record`), written at once when it is posted; the
training subprocess's `run/` (its `--model_dir`, where it writes
`progress.json` and `preview.jpg` as docs/styles.md, "Adding a painting
fast", says) and `train.log`; and, when done, `model/`, the finished
model folder. `training_jobs` runs the jobs; a `Job` is what it knows of
one, read and changed in the server's event loop only.
"""

import json
import os
import time

from PIL import Image

# Written by `multistyle-train --progress_every` (docs/styles.md); serving
# may not import `training.progress_report`, which names them too.
PROGRESS_FILENAME = "progress.json"
PREVIEW_FILENAME = "preview.jpg"
JOB_FILENAME = "job.json"
LOG_FILENAME = "train.log"
# A job's states: waiting; then `starting` (the subprocess imports Keras
# before writing `progress.json`) and running (what `progress.json` says:
# preparing, training, writing); `loading` (the server reads the model).
QUEUED, STARTING, RUNNING = "queued", "starting", "running"
LOADING = "loading"
DONE, FAILED, CANCELLED = "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
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

    @property
    def log_path(self):
        """The subprocess's output."""
        return os.path.join(self.folder, LOG_FILENAME)

    def record(self):
        """What `job.json` holds."""
        return {"id": self.id, "name": self.name, "seconds": self.seconds,
                "root_model": self.root_model, "created": self.created}

    @classmethod
    def read(cls, folder):
        """The job of a folder from `write`, as a finished (`DONE`) job if
        its `model/` is there; None if its `job.json` is unreadable."""
        try:
            with open(os.path.join(folder, JOB_FILENAME),
                      encoding="utf-8") as f:
                record = json.load(f)
            job = cls(record["id"], folder, record["name"],
                      record["seconds"], record["root_model"],
                      record["created"])
        except (OSError, ValueError, KeyError):
            return None
        if os.path.isdir(job.model_dir):
            job.state = DONE
            job.read_progress()
        return job

    def write(self, folder, painting):
        """Fills `folder` (the job's, being written) with the painting, a
        uint8 RGB array, and `job.json`."""
        Image.fromarray(painting).save(
            os.path.join(folder, os.path.basename(self.painting)))
        with open(os.path.join(folder, JOB_FILENAME), "w",
                  encoding="utf-8") as f:
            json.dump(self.record(), f)

    def error_text(self):
        """The failed subprocess's reason: its `Error: ...` line (user
        errors), else its last line (a traceback's exception)."""
        try:
            with open(self.log_path, encoding="utf-8",
                      errors="replace") as f:
                lines = [line.strip() for line in f if line.strip()]
        except OSError:
            lines = []
        for line in reversed(lines):
            if line.startswith("Error: "):
                return line[len("Error: "):]
        return lines[-1][-500:] if lines else "no output"

    def status(self, position=None):
        """What `GET /v1/styles/jobs/ID` answers (docs/serving.md);
        `position`: jobs ahead of a queued one."""
        if self.state not in FINISHED:
            self.read_progress()
        state = self.state
        if state == RUNNING:  # preparing, training, writing.
            state = self.progress.get("state", STARTING)
            # Done or failed once the subprocess has exited (and the
            # server has read the model).
            state = "writing" if state in (DONE, FAILED) else state
        status = {"job": self.id, "name": self.name, "state": state,
                  "budget": self.seconds,
                  **{key: self.progress.get(key) for key in _PROGRESS_KEYS}}
        if self.started is not None and self.state not in FINISHED:
            status["elapsed"] = round(time.monotonic() - self.started, 1)
            if status["seconds_left"] is None:  # Before the first step.
                status["seconds_left"] = max(
                    0.0, round(self.seconds - status["elapsed"], 1))
        if position is not None:
            status["position"] = position
        if self.error is not None:
            status["error"] = self.error
        return status
