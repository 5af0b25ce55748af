"""Runs code when a module is first imported: post-import hooks.

Two things must happen exactly when a heavy package is imported, neither
earlier (it would import the package for nothing, seconds of start-up) nor
later: the command-line tools silence TensorFlow's start-up lines while it
imports (`multistyle.cli.quiet`), and JAX's compilation cache is set up
once Keras has chosen its backend (`compilation_cache`). `after_import`
runs a callback on the module right after it executes (or at once, if it
is already imported), optionally inside a context manager that also wraps
the module's own execution.

Example:

>>> after_import("keras", lambda keras: print(keras.backend.backend()))
"""

import contextlib
import importlib.abc
import importlib.machinery
import sys

# Module name -> [(callback, around)], waiting for the module's import.
_pending = {}


class _Loader(importlib.abc.Loader):
    """Executes a module with another loader, then runs its hooks."""

    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def __getattr__(self, attribute):  # get_resource_reader, is_package...
        return getattr(self._loader, attribute)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        hooks = _pending.pop(self._name, [])
        if not _pending:
            _uninstall()
        with contextlib.ExitStack() as stack:
            for _, around in hooks:
                if around is not None:
                    stack.enter_context(around())
            self._loader.exec_module(module)
            for callback, _ in hooks:
                if callback is not None:
                    callback(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds modules with pending hooks through the usual path finder,
    giving them a `_Loader`."""

    def find_spec(self, name, path, target=None):
        if name not in _pending:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, name)
        return spec


def _uninstall():
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not isinstance(f, _Finder)]


def after_import(name, callback=None, around=None):
    """Runs `callback(module)` once module `name` has been imported.

    Args:
        name: The module's full name, e.g. `tensorflow` or
            `ai_edge_litert.interpreter`.
        callback: Called with the module right after it executes; at once
            if it is already imported.
        around: A context manager factory entered before the module
            executes and left after the callback (skipped if the module
            is already imported).
    """
    module = sys.modules.get(name)
    if module is not None:
        if callback is not None:
            callback(module)
        return
    _pending.setdefault(name, []).append((callback, around))
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def is_pending(name):
    """Whether hooks wait for `name` to be imported."""
    return name in _pending
