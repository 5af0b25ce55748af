"""Runs an absl `main` and turns bad input into one clear line, exit 2."""

import sys

from absl import app

from multistyle import compilation_cache
from multistyle import image_io

# Errors that mean "the input was wrong", not "the program is broken".
_USER_ERRORS = (ValueError, FileNotFoundError, NotADirectoryError,
                PermissionError, image_io.ImageReadError)
EXIT_BAD_INPUT = 2


def run(main):
    """`app.run(main)`, printing user errors as `Error: ...` with exit 2.

    On JAX, compiled networks are cached on disk (`compilation_cache`).
    """

    def guarded_main(argv):
        compilation_cache.enable()
        try:
            return main(argv)
        except _USER_ERRORS as e:
            print(f"Error: {e}", file=sys.stderr)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            print("Interrupted; no partial output was written.",
                  file=sys.stderr)
            sys.exit(130)

    app.run(guarded_main)
