"""The console scripts' way in: each tool's `run()`, imported quietly.

TensorFlow 2.21 prints its C++ start-up lines (absl's pre-init warning,
oneDNN, CUDA, CPU features) before any setting of its logging is read,
`TF_CPP_MIN_LOG_LEVEL` included, and a CUDA build's cuInit error at its
first device query. So while a tool's module (and with it TensorFlow) is
imported and the devices are listed, file descriptor 2 goes to a
temporary file, and what was written comes back without those lines; with
`-v` (or `--verbosity` above 0) everything comes back. Nothing is
installed: the filter lasts for the import only.
"""

import contextlib
import importlib
import os
import re
import sys
import tempfile

# TensorFlow's start-up lines: absl's pre-init warning, INFO/WARNING lines
# in glog format, the CPU-feature line's continuation, a CUDA build's
# error on a machine without a GPU driver.
_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]"
    r"|E\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] failed call to cuInit"
    r"|To enable the following instructions: .*rebuild TensorFlow)")


def _verbose(argv):
    return any(re.fullmatch(r"-v|--?(v|verbosity)=[1-9]\d*", arg)
               for arg in argv[1:])


@contextlib.contextmanager
def _without_startup_noise():
    """fd 2 into a temporary file, replayed without `_NOISE` lines."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().decode(
                errors="replace").splitlines(keepends=True)
                if not _NOISE.match(line)]
            sys.stderr.write("".join(kept))


def _launcher(tool):
    def launch():
        quiet = (contextlib.nullcontext() if _verbose(sys.argv)
                 else _without_startup_noise())
        with quiet:
            module = importlib.import_module(f"multistyle.cli.{tool}")
            if "tensorflow" in sys.modules:  # Its first device query logs.
                sys.modules["tensorflow"].config.list_physical_devices()
        module.run()

    launch.__doc__ = f"multistyle-{tool}: runs `multistyle.cli.{tool}`."
    return launch


train = _launcher("train")
export = _launcher("export")
optimize = _launcher("optimize")
evaluate = _launcher("evaluate")
stylize = _launcher("stylize")
grid = _launcher("grid")
styles = _launcher("styles")
video = _launcher("video")
serve = _launcher("serve")
