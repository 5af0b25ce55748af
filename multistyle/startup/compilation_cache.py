"""Keeps JAX's compiled networks on disk, so a new run skips compiling.

Each `multistyle-*` command is a new process; on JAX it would compile the
network again for every shape bucket (1.5-2.5 s each on a CPU), and
loading `model.keras` compiles Keras' weight initializer once per kernel
shape (0.1-0.2 s each, 4 s in all). JAX's persistent compilation cache
stores the compiled programs; a later run loads them instead (about 1.3 s
saved per shape bucket, loading 4.7 -> 1.0 s; BENCHMARKS.md).
"""

import os

from multistyle.startup import import_hooks

_DEFAULT_MIN_COMPILE_SECS = 0.1


def default_directory():
    """`$XDG_CACHE_HOME/multistyle/jax`, `~/.cache/multistyle/jax` if unset."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(root, "multistyle", "jax")


def enable(directory=None, min_compile_secs=_DEFAULT_MIN_COMPILE_SECS):
    """Turns on JAX's persistent compilation cache; a no-op off JAX.

    Args:
        directory: Cache folder; None for `$JAX_COMPILATION_CACHE_DIR` if
            set, else `default_directory()`.
        min_compile_secs: Only programs that took at least this long to
            compile are stored.

    Returns:
        The cache folder, or None if the Keras backend is not JAX.
    """
    import keras

    if keras.backend.backend() != "jax":
        return None
    import jax

    directory = (directory or os.environ.get("JAX_COMPILATION_CACHE_DIR")
                 or default_directory())
    jax.config.update("jax_compilation_cache_dir", directory)
    jax.config.update("jax_persistent_cache_min_compile_time_secs",
                      min_compile_secs)
    return directory


def enable_when_keras_is_imported(
        directory=None, min_compile_secs=_DEFAULT_MIN_COMPILE_SECS):
    """`enable()` as soon as Keras is imported, or now if it is.

    Keras picks its backend on import, and on JAX the cache must be on
    before the first compilation (loading `model.keras` compiles). Waiting
    for the import lets a tool that may never need Keras (the TFLite path
    of `multistyle-stylize`) skip importing it, a few seconds of start-up.
    """
    import_hooks.after_import(
        "keras", lambda _: enable(directory, min_compile_secs))
