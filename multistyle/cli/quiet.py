"""Keeps the command-line tools quiet: only multistyle's own lines by default.

TensorFlow prints its start-up lines (oneDNN, "Could not find cuda drivers",
cuInit) through C++ absl logging before Python logging exists, and that
ignores `TF_CPP_MIN_LOG_LEVEL` ("All log messages before
absl::InitializeLog() is called are written to STDERR"). So `install()`,
run when `multistyle.cli` is first imported (before any tool imports
Keras), hooks the first `import tensorflow`: the import, and the CUDA
probe that prints the cuInit error, run with file descriptor 2 sent to a
temporary file, and what they wrote is replayed without the known start-up
noise. LiteRT's "Created TensorFlow Lite XNNPACK delegate" line, printed
when an interpreter first allocates its tensors, is filtered the same way. Python warnings of other packages are ignored and their log records
below ERROR dropped (`filter_library_logs`).

`-v` (or `--verbosity=1`, absl's flag) turns all of this off: every line of
TensorFlow, Keras and JAX comes back.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile
import warnings

from multistyle.startup import import_hooks

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Lines TensorFlow and XLA print on a normal start: absl's pre-init
# warning, INFO/WARNING lines in glog format ("I0000 00:00:17.96 123
# port.cc:153] ..."), the CPU-feature line's continuation, and the error
# of a CUDA build on a machine without a GPU driver.
_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]"
    r"|E\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] failed call to cuInit"
    r"|To enable the following instructions: .*rebuild TensorFlow"
    r"|INFO: Created TensorFlow Lite XNNPACK delegate)")


def verbose_requested(argv):
    """Whether `argv` asks for details: `-v`, or `-v`/`--verbosity`/`--v`
    set to 1 or more (absl's verbosity flag; `-v` alone means 1)."""
    for i, arg in enumerate(argv[1:], start=1):
        if arg == "--":
            break
        if arg == "-v":
            following = argv[i + 1] if i + 1 < len(argv) else ""
            if not following.lstrip("-").isdigit() or int(following) >= 1:
                return True
            continue
        match = re.fullmatch(r"--?(?:v|verbosity)=(-?\d+)", arg)
        if match and int(match.group(1)) >= 1:
            return True
    return False


def expand_bare_v(argv):
    """`argv` with a bare `-v` (not followed by a number) replaced by
    `--verbosity=1`, so `-v` works as a switch."""
    out = list(argv)
    for i, arg in enumerate(out[1:], start=1):
        if arg == "--":
            break
        following = out[i + 1] if i + 1 < len(out) else ""
        if arg == "-v" and not following.lstrip("-").isdigit():
            out[i] = "--verbosity=1"
    return out


def _is_noise(line):
    return bool(_NOISE.match(line))


@contextlib.contextmanager
def _stderr_filtered():
    """Sends fd 2 to a temporary file; replays its lines but the noise."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, AttributeError, ValueError):  # No real fd 2.
        yield
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", "replace")
            kept = [line for line in text.splitlines()
                    if line.strip() and not _is_noise(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


def _probe_devices(tensorflow):
    """Lists TensorFlow's devices now (under the filter): a CUDA build
    prints its cuInit error at the first device query. Cheap (< 1 ms) and
    leaves the runtime unconfigured (threads and devices can still be
    set)."""
    try:
        tensorflow.config.list_physical_devices()
    except Exception:  # A broken install shows itself later, loudly.
        pass


def _quiet_allocation(litert_interpreter):
    """LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate" when
    an interpreter first allocates its tensors: filter that call."""
    interpreter_class = litert_interpreter.Interpreter
    allocate = interpreter_class.allocate_tensors

    def allocate_tensors(self):
        with _stderr_filtered():
            return allocate(self)

    interpreter_class.allocate_tensors = allocate_tensors


# Module -> what to run on it, under the filter, once it is imported.
_HUSHED_MODULES = {
    "tensorflow": _probe_devices,
    "ai_edge_litert.interpreter": _quiet_allocation,
}
_installed = []


def install(argv=None):
    """Silences TensorFlow's start-up unless `argv` asks for `-v`.

    Sets `TF_CPP_MIN_LOG_LEVEL=2` (keeps C++ errors, unless already set)
    and hooks the first import of TensorFlow and of LiteRT's interpreter
    (see the module docstring). Does nothing with `-v`.

    Args:
        argv: The command line; default `sys.argv`.

    Returns:
        True if quiet mode was installed.
    """
    argv = sys.argv if argv is None else argv
    if verbose_requested(argv):
        return False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not _installed:
        _installed.append(True)
        for name, callback in _HUSHED_MODULES.items():
            if name not in sys.modules:
                import_hooks.after_import(name, callback,
                                          around=_stderr_filtered)
    return True


class _OwnRecordsOnly(logging.Filter):
    """Passes multistyle's own records, and others from ERROR up."""

    def filter(self, record):
        return (record.levelno >= logging.ERROR
                or os.path.abspath(record.pathname).startswith(_PACKAGE_DIR))


def filter_library_logs(handler, verbosity):
    """Below `verbosity` 1, hides other packages' warnings and log records.

    Args:
        handler: The logging handler to filter (absl's, which `app.run`
            puts on the root logger).
        verbosity: absl's `--verbosity`; 1 or more leaves everything.
    """
    # TensorFlow's Python logger has its own handler ("INFO:tensorflow:
    # Assets written to ..."), so its records are filtered at the logger.
    filtered = (handler, logging.getLogger("tensorflow"))
    for owner in filtered:
        for old in [f for f in owner.filters
                    if isinstance(f, _OwnRecordsOnly)]:
            owner.removeFilter(old)
    if verbosity >= 1:
        return
    for owner in filtered:
        owner.addFilter(_OwnRecordsOnly())
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("default", module=r"multistyle(\.|$)")
