"""`run(main)`: `app.run(main)` for every tool, with `--help`, `--helpfull`
and `--version` (exit 0, needing no other flag), bad input (positional
arguments included: `main` takes none) as one `Error: ...` line with exit
code 2 (an `ArgumentError`'s arguments named as flags), `-v` for `--verbosity=1` and, below it, quiet logs: TensorFlow's
C++ logs down to errors, other packages' records below ERROR and their
warnings hidden. JAX caches compiled programs in ~/.cache/multistyle/jax
(or `$JAX_COMPILATION_CACHE_DIR`)."""

import logging as std_logging
import os
import sys
import warnings

from absl import app
from absl import flags
from absl import logging

import multistyle
from multistyle import errors

# Errors that mean "the input was wrong", not "the program is broken".
_USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError,
                NotADirectoryError, PermissionError, app.UsageError)
_HELP = ("--help", "-help", "--helpshort", "-helpshort", "-h", "-?")
_HELPFULL = ("--helpfull", "-helpfull")
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _asks_for(argv, names):
    end = argv.index("--") if "--" in argv else None
    return any(arg in names for arg in argv[1:end])


def _expand_bare_v(argv):
    """A bare `-v` (not followed by a number) becomes `--verbosity=1`."""
    out = list(argv)
    for i in range(1, out.index("--") if "--" in out else len(out)):
        following = out[i + 1] if i + 1 < len(out) else ""
        if out[i] == "-v" and not following.lstrip("-").isdigit():
            out[i] = "--verbosity=1"
    return out


def _help(module, program, full):
    """The tool's docstring, then its key flags (every flag if `full`)."""
    name = sys.argv[0] if module.__name__ == "__main__" else module.__name__
    listed = flags.FLAGS.get_help() if full else flags.FLAGS.module_help(name)
    return (f"usage: {program} [flags]\n\n{(module.__doc__ or '').strip()}"
            f"\n\nflags:\n\n{listed.strip()}\n\nTry --helpfull to get a "
            "list of all flags; --version prints the version.\n")


def _cache_jax_programs():
    cache = os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "multistyle", "jax"))
    secs = os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS",
                                 "0.1")
    if "jax" in sys.modules:  # Imported with the tool, the environment read.
        config = sys.modules["jax"].config
        config.update("jax_compilation_cache_dir", cache)
        config.update("jax_persistent_cache_min_compile_time_secs",
                      float(secs))


def _own_records(record):
    return (record.levelno >= std_logging.ERROR
            or os.path.abspath(record.pathname).startswith(_PACKAGE_DIR))


def _quiet():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # TensorFlow's Python logger has a handler of its own.
    for owner in (logging.get_absl_handler(),
                  std_logging.getLogger("tensorflow")):
        if _own_records not in owner.filters:
            owner.addFilter(_own_records)
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("default", module=r"multistyle(\.|$)")


def _parse_flags(argv):
    """absl's flag parsing, but a bad flag is one line and exit code 2."""
    try:
        return flags.FLAGS(argv)
    except flags.Error as e:
        print(f"Error: {e}\nTry --help.", file=sys.stderr)
        sys.exit(2)


def run(main):
    """`app.run(main)`, as the module docstring says."""
    module = sys.modules[main.__module__]
    spec = getattr(module, "__spec__", None)  # None for `python file.py`.
    program = "multistyle-" + (spec.name if spec else module.__name__
                               ).rsplit(".", 1)[-1]
    argv = _expand_bare_v(sys.argv)
    if _asks_for(argv, _HELP + _HELPFULL):
        sys.stdout.write(_help(module, program, _asks_for(argv, _HELPFULL)))
        sys.exit(0)
    if _asks_for(argv, ("--version", "-version")):
        print(program, multistyle.__version__)
        sys.exit(0)

    def guarded_main(argv):
        _cache_jax_programs()
        if flags.FLAGS.verbosity < 1:
            _quiet()
        try:
            if len(argv) > 1:
                raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
            return main()
        except _USER_ERRORS as e:
            if isinstance(e, errors.ArgumentError):
                e = e.message(lambda name: f"--{name}")
            print(f"Error: {e}", file=sys.stderr)
            sys.exit(2)
        except KeyboardInterrupt:
            print("Interrupted; no partial output was written.",
                  file=sys.stderr)
            sys.exit(130)

    app.run(guarded_main, argv=argv, flags_parser=_parse_flags)
