import contextlib
import sys

from multistyle.startup import import_hooks


def _fresh(monkeypatch, tmp_path, name):
    (tmp_path / f"{name}.py").write_text("print('executing')\nVALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_callback_runs_when_the_module_is_imported(monkeypatch, tmp_path,
                                                   capsys):
    _fresh(monkeypatch, tmp_path, "hooked_module_a")
    seen = []
    import_hooks.after_import("hooked_module_a",
                              lambda m: seen.append(m.VALUE))
    assert seen == [] and import_hooks.is_pending("hooked_module_a")

    import hooked_module_a  # noqa: F401

    assert seen == [7] and not import_hooks.is_pending("hooked_module_a")


def test_around_wraps_the_module_execution(monkeypatch, tmp_path, capsys):
    _fresh(monkeypatch, tmp_path, "hooked_module_b")
    events = []

    @contextlib.contextmanager
    def around():
        events.append("enter")
        yield
        events.append("exit")

    import_hooks.after_import("hooked_module_b", lambda m: events.append(
        capsys.readouterr().out.strip()), around=around)
    import hooked_module_b  # noqa: F401

    assert events == ["enter", "executing", "exit"]


def test_callback_runs_at_once_for_an_imported_module():
    seen = []
    import_hooks.after_import("os", lambda m: seen.append(m.sep))
    assert seen == ["/"] or seen == ["\\"]
