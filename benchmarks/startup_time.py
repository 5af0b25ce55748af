"""Start-up time of the command line: the README's main command and --help.

Runs each command in a fresh process in a temporary folder, a cold run
(first: a fresh JAX compilation cache; the OS file cache may already hold
the files) and warm runs (the same command again), and prints a Markdown
table of wall seconds, user and system CPU seconds, and the 1-minute load
average when the run started (CPU time is the load-independent number).
Then, from `python -X importtime`, which heavy packages the command
imports and the slowest imports.

    python benchmarks/startup_time.py                # README main command
    python benchmarks/startup_time.py --warm_runs=5 --args="--style=udnie"
    PYTHONPATH=/tmp/old_checkout python benchmarks/startup_time.py --module
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HEAVY = ("tensorflow", "keras", "jax", "ai_edge_litert",
         "multistyle.training", "multistyle.loss", "tensorboard",
         "tensorflow_datasets")


def _command(tool, module=False):
    script = os.path.join(os.path.dirname(sys.executable), tool)
    if os.path.exists(script) and not module:
        return [script]
    return [sys.executable, "-m", "multistyle.cli." + tool.split("-", 1)[1]]


def _timed(argv, cwd, env, check=True):
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                            text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and result.returncode != 0:
        raise RuntimeError(f"{argv} failed:\n{result.stderr[-2000:]}")
    return {"rc": result.returncode, "wall": wall, "user": after.ru_utime - before.ru_utime,
            "sys": after.ru_stime - before.ru_stime, "load": load,
            "stdout": result.stdout, "stderr": result.stderr}


def _imports(argv, cwd, env):
    """Top-level packages imported and the slowest imports (cumulative)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], cwd=cwd, env=env,
        capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)",
                         line)
        if match:
            rows.append((int(match.group(2)), len(match.group(3)),
                         match.group(4)))
    names = {name for _, _, name in rows}
    heavy = {h: any(n == h or n.startswith(h + ".") for n in names)
             for h in HEAVY}
    top = sorted((r for r in rows if r[1] == 0), reverse=True)[:6]
    return heavy, top


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tool", default="multistyle-stylize")
    parser.add_argument("--args", default="",
                        help="Extra arguments of the main command.")
    parser.add_argument("--warm_runs", type=int, default=3)
    parser.add_argument(
        "--module", action="store_true",
        help="Run `python -m multistyle.cli.TOOL` instead of the console "
             "script (with PYTHONPATH, measures another checkout).")
    options = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="startup-")
    env = {**os.environ,
           "JAX_COMPILATION_CACHE_DIR": os.path.join(workdir, "jax_cache")}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # As a new user has it.
    tool = _command(options.tool, options.module)
    main_command = tool + options.args.split()
    commands = [("main command", main_command, 1 + options.warm_runs),
                ("--help", tool + ["--help"], 2),
                ("--version", tool + ["--version"], 2)]
    print(f"`{options.tool} {options.args}`, KERAS_BACKEND="
          f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}, "
          f"{os.cpu_count()} CPUs\n")
    print("| command | run | wall s | user s | sys s | load (1 min) | "
          "exit |")
    print("|---|---|---:|---:|---:|---:|---:|")
    stderr_lines = 0
    for label, argv, runs in commands:
        for run in range(runs):
            t = _timed(argv, workdir, env, check=label == "main command")
            if label == "main command":
                stderr_lines = max(stderr_lines,
                                   len(t["stderr"].splitlines()))
            print(f"| {label} | {'cold' if run == 0 else 'warm'} | "
                  f"{t['wall']:.2f} | {t['user']:.2f} | {t['sys']:.2f} | "
                  f"{t['load']:.2f} | {t['rc']} |", flush=True)
    print(f"\nstderr lines of the main command: {stderr_lines}")
    heavy, top = _imports(
        (["-m", "multistyle.cli." + options.tool.split("-", 1)[1]]
         + options.args.split()), workdir, env)
    print("\nimported: " + ", ".join(
        f"{name} {'yes' if done else 'no'}" for name, done in heavy.items()))
    print("slowest top-level imports (cumulative, load-dependent): " + ", ".join(
        f"{name} {us / 1e6:.2f} s" for us, _, name in top))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
