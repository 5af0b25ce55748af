import os
import stat

import pytest

from multistyle.io import atomic_files


class _Boom(Exception):
    pass


def _entries(path):
    return sorted(os.listdir(path))


def test_written_file_has_the_content_and_no_temporary_is_left(tmp_path):
    path = tmp_path / "sub" / "file.txt"
    atomic_files.write_text(str(path), "hello")
    assert path.read_text() == "hello"
    assert _entries(path.parent) == ["file.txt"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("old")

    def fail(tmp_path_):
        with open(tmp_path_, "w") as f:
            f.write("half")
        raise _Boom()

    with pytest.raises(_Boom):
        atomic_files.atomic_write(str(path), fail)
    assert path.read_text() == "old"
    assert _entries(tmp_path) == ["file.txt"]


def test_temporary_file_has_the_suffix_writers_check(tmp_path):
    seen = []
    atomic_files.atomic_write(str(tmp_path / "m.keras"),
                              lambda p: (seen.append(p), open(p, "w")),
                              suffix=".keras")
    assert seen[0].endswith(".keras") and seen[0] != str(tmp_path / "m.keras")


def test_written_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_files.write_text(str(tmp_path / "f.txt"), "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "f.txt").st_mode) == 0o644


def test_folder_appears_complete(tmp_path):
    def fill(directory):
        with open(os.path.join(directory, "a.txt"), "w") as f:
            f.write("a")

    old = os.umask(0o022)
    try:
        atomic_files.write_folder(str(tmp_path / "out"), fill)
    finally:
        os.umask(old)
    assert _entries(tmp_path) == ["out"]
    assert (tmp_path / "out" / "a.txt").read_text() == "a"
    # Not mkdtemp's private 0o700: as any folder made under the umask.
    assert stat.S_IMODE(os.stat(tmp_path / "out").st_mode) == 0o755


def test_failed_folder_keeps_the_old_one_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")

    def fail(directory):
        with open(os.path.join(directory, "new.txt"), "w") as f:
            f.write("new")
        raise _Boom()

    with pytest.raises(_Boom):
        atomic_files.write_folder(str(out), fail, overwrite=True)
    assert _entries(out) == ["old.txt"]
    assert _entries(tmp_path) == ["out"]


def test_folder_replaces_the_old_one_only_when_asked(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(FileExistsError, match="already exists"):
        atomic_files.write_folder(str(out), lambda d: None)
    atomic_files.write_folder(
        str(out), lambda d: open(os.path.join(d, "new.txt"), "w").close(),
        overwrite=True)
    assert _entries(out) == ["new.txt"]
    assert _entries(tmp_path) == ["out"]
