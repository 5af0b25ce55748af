"""Runs an absl `main`: `--help`, `--version`, quiet logs, and bad input
as one clear line with exit code 2.

Every tool's `run()` calls `run(main)`. Before absl parses the flags,
`--help` prints the tool's own help screen (`help_text`, from the tool
module's docstring and `HELP_GROUPS`) and `--version` the package version,
both with exit code 0 and without needing the tool's required flags
(`--helpfull`, absl's list of every flag, exits 0 too). A bare
`-v` means `--verbosity=1`: library log lines and warnings, hidden by
default (`quiet`), come back.
"""

import sys

from absl import app
from absl import flags
from absl import logging

import multistyle
from multistyle.startup import compilation_cache
from multistyle.io import image_io
from multistyle.inference import style_choice
from multistyle.cli import flag_names
from multistyle.cli import help_text
from multistyle.cli import quiet

# Errors that mean "the input was wrong", not "the program is broken".
_USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError,
                NotADirectoryError,
                PermissionError, image_io.ImageReadError, app.UsageError)
EXIT_BAD_INPUT = 2
_HELP_ARGS = ("--help", "-help", "--helpshort", "-helpshort", "-h", "-?")
_VERSION_ARGS = ("--version", "-version")
_HELPFULL_ARGS = ("--helpfull", "-helpfull")

flags.DEFINE_bool("version", False, "Print the version and exit.")


def program_name(module):
    """`multistyle-stylize` for the module `multistyle.cli.stylize`."""
    spec = getattr(module, "__spec__", None)
    name = spec.name if spec is not None else module.__name__
    return "multistyle-" + name.rsplit(".", 1)[-1]


def _asks_for(argv, names):
    for arg in argv[1:]:
        if arg == "--":
            return False
        if arg in names:
            return True
    return False


def help_screen(module, flag_values=flags.FLAGS):
    """The `--help` text of a tool module (see `help_text`)."""
    key = sys.argv[0] if module.__name__ == "__main__" else module.__name__
    groups = getattr(module, "HELP_GROUPS", None)
    if groups is None:
        groups = help_text.default_groups(key, flag_values)
    # A flag added to the tool but not to its groups still shows.
    listed = help_text.flag_names(groups) | {"version"}
    others = tuple(f.name for f in flag_values.get_key_flags_for_module(key)
                   if f.name not in listed)
    if others:
        groups = (*groups, ("Other options", others))
    notes = getattr(module, "help_notes", lambda: ())()
    return help_text.format_help(program_name(module), module.__doc__,
                                 groups, notes, flag_values)


def _in_flags(error, module):
    """A user error's message in the tool's words: `output_dir` is
    --output here. An error that names its arguments as data (the style
    flags') is written from them; others' messages are rewritten."""
    if isinstance(error, style_choice.StyleChoiceError):
        return error.message(lambda name: f"--{name}")
    return flag_names.to_flags(str(error), flag_names.tool_flags(module))


def _parse_flags(argv):
    """absl's flag parsing, but a bad flag is one line and exit code 2."""
    try:
        return flags.FLAGS(argv)
    except flags.Error as e:
        print(f"Error: {e}\nTry --help.", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def run(main):
    """`app.run(main)`, printing user errors as `Error: ...` with exit 2.

    Handles `--help` and `--version` first (exit 0). Library log records
    and warnings are hidden below `--verbosity=1` (`quiet`). On JAX,
    compiled networks are cached on disk (`compilation_cache`), set up
    when Keras is imported: tools that need no Keras never import it.
    """
    module = sys.modules[main.__module__]
    argv = quiet.expand_bare_v(sys.argv)
    if _asks_for(argv, _HELP_ARGS):
        sys.stdout.write(help_screen(module))
        sys.exit(0)
    if _asks_for(argv, _VERSION_ARGS):
        print(f"{program_name(module)} {multistyle.__version__}")
        sys.exit(0)
    main_module = sys.modules["__main__"]
    if not main_module.__doc__:  # A console script's wrapper: --helpfull.
        main_module.__doc__ = module.__doc__
    if _asks_for(argv, _HELPFULL_ARGS):  # absl's, but with exit code 0.
        app.usage(writeto_stdout=True)
        sys.exit(0)

    def guarded_main(argv):
        quiet.filter_library_logs(logging.get_absl_handler(),
                                  flags.FLAGS.verbosity)
        if flags.FLAGS.version:  # Given in a --flagfile.
            print(f"{program_name(module)} {multistyle.__version__}")
            return 0
        compilation_cache.enable_when_keras_is_imported()
        try:
            return main(argv)
        except _USER_ERRORS as e:
            print(f"Error: {_in_flags(e, main.__module__)}",
                  file=sys.stderr)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            print("Interrupted; no partial output was written.",
                  file=sys.stderr)
            sys.exit(130)

    app.run(guarded_main, argv=argv, flags_parser=_parse_flags)
