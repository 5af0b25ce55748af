"""The shipped models' loss against CPU-hours, and what a target would cost.

Reads benchmarks/training_curve.tsv: one row per training stretch, with the
CPU-hours of the 2-core machine so far and the quality gate's losses (the
first 10 held-out photos at 512 px, paintings at 384 px). For each model it
fits `style = a * hours**b` (least squares in log-log) and prints, as a
Markdown table, the CPU-hours at which the fit reaches the style target, and
the same from the last stretch's rate alone (the optimistic straight line):

    python benchmarks/training_curve.py --target=multistyle16:0.30 \\
        --target=multistyle16_lite:0.45
"""

import csv
import math
import os

from absl import app
from absl import flags
import numpy as np

_CURVE = flags.DEFINE_string(
    "curve", os.path.join(os.path.dirname(__file__), "training_curve.tsv"),
    "TSV of model, cpu_hours, stretch, content, style.")
_TARGETS = flags.DEFINE_multi_string(
    "target", ["multistyle16:0.30", "multistyle16_lite:0.45"],
    "MODEL:STYLE_LOSS to project the CPU-hours for.")


def _read_curves(path):
    """model -> [(cpu_hours, style), ...] in the file's order."""
    curves = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            curves.setdefault(row["model"], []).append(
                (float(row["cpu_hours"]), float(row["style"])))
    return curves


def power_law_hours(points, target):
    """CPU-hours where the log-log fit of the points reaches target."""
    log_hours, log_style = np.log(np.array(points)).T
    slope, intercept = np.polyfit(log_hours, log_style, 1)
    if slope >= 0:
        return slope, math.inf
    return slope, math.exp((math.log(target) - intercept) / slope)


def last_rate_hours(points, target):
    """CPU-hours where the last stretch's straight line reaches target."""
    (h0, s0), (h1, s1) = points[-2:]
    rate = (s1 - s0) / (h1 - h0)
    if rate >= 0:
        return rate, math.inf
    return rate, h1 + (target - s1) / rate


def main(argv):
    del argv
    curves = _read_curves(_CURVE.value)
    print("| model | CPU-hours | style now | target | log-log slope | "
          "CPU-hours at target (fit) | style per CPU-hour (last stretch) | "
          "CPU-hours at target (straight line) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for spec in _TARGETS.value:
        model, _, target = spec.partition(":")
        if model not in curves:
            raise app.UsageError(f"--target={spec}: no rows for {model!r} in "
                                 f"{_CURVE.value}; models: {sorted(curves)}")
        points = curves[model]
        slope, fit_hours = power_law_hours(points, float(target))
        rate, line_hours = last_rate_hours(points, float(target))
        hours, style = points[-1]
        print(f"| {model} | {hours:.2f} | {style:.3f} | {target} | "
              f"{slope:.2f} | {fit_hours:.0f} | {rate:.3f} | "
              f"{line_hours:.1f} |")


if __name__ == "__main__":
    app.run(main)
