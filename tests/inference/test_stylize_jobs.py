import os

import pytest

from multistyle.inference import stylize_jobs
from multistyle.io import image_io
from tests.conftest import write_image


@pytest.fixture
def photos(tmp_path):
    root = tmp_path / "photos"
    write_image(str(root / "a.jpg"), 16, 16)
    write_image(str(root / "sub" / "a.png"), 16, 16)
    (root / "notes.txt").write_text("not an image")
    return root


def test_single_file_defaults_to_stylized_jpg(photos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    jobs, is_batch = stylize_jobs.plan(str(photos / "a.jpg"))
    assert not is_batch
    assert jobs == [stylize_jobs.Job(str(photos / "a.jpg"), "stylized.jpg")]


def test_single_file_into_existing_folder_keeps_its_name(photos, tmp_path):
    (tmp_path / "out").mkdir()
    jobs, _ = stylize_jobs.plan(str(photos / "a.jpg"), str(tmp_path / "out"))
    assert jobs[0].destination == str(tmp_path / "out" / "a.jpg")


def test_folder_keeps_subfolders_so_names_do_not_collide(photos, tmp_path):
    jobs, is_batch = stylize_jobs.plan(str(photos), str(tmp_path / "out"))
    assert is_batch
    assert sorted(os.path.relpath(j.destination, tmp_path / "out")
                  for j in jobs) == ["a.jpg", os.path.join("sub", "a.png")]


def test_glob_selects_matching_images(photos, tmp_path):
    jobs, is_batch = stylize_jobs.plan(str(photos / "**" / "*.png"),
                                       str(tmp_path / "out"))
    assert is_batch
    assert [j.destination for j in jobs] == [str(tmp_path / "out" / "a.png")]


def test_rejects_output_without_image_extension(photos, tmp_path):
    with pytest.raises(ValueError, match="must end with one of"):
        stylize_jobs.plan(str(photos / "a.jpg"), str(tmp_path / "out.txt"))


def test_rejects_output_file_for_a_folder(photos):
    with pytest.raises(ValueError, match="needs an output folder"):
        stylize_jobs.plan(str(photos), str(photos / "a.jpg"))


def test_rejects_overwriting_the_inputs(photos):
    with pytest.raises(ValueError, match="would overwrite its input"):
        stylize_jobs.plan(str(photos), str(photos))


def test_reports_missing_input_and_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        stylize_jobs.plan(str(tmp_path / "missing.jpg"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No images"):
        stylize_jobs.plan(str(tmp_path / "empty"))


def test_unwritable_output_folder_is_named(photos, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    jobs, _ = stylize_jobs.plan(str(photos / "a.jpg"),
                                str(blocker / "out.jpg"))
    with pytest.raises(ValueError, match="Cannot write to output folder"):
        stylize_jobs.check_writable(jobs)


def test_stdin_photo_goes_to_the_default_file_or_stdout():
    assert stylize_jobs.plan("-") == (
        [stylize_jobs.Job("-", "stylized.jpg")], False)
    assert stylize_jobs.plan("-", "-") == ([stylize_jobs.Job("-", "-")],
                                          False)
    with pytest.raises(ValueError, match="must end with"):
        stylize_jobs.plan("-", "painted.txt")


def test_stdout_takes_one_photo(photos):
    jobs, _ = stylize_jobs.plan(str(photos / "a.jpg"), "-")
    assert jobs == [stylize_jobs.Job(str(photos / "a.jpg"), "-")]
    with pytest.raises(ValueError, match="one image to stdout"):
        stylize_jobs.plan(str(photos), "-")


def _inverted(source):
    """A stand-in painter: the photo (a path, as `run` passes it), negated."""
    return 255 - image_io.as_rgb_array(source)


def test_run_writes_every_photo_and_skips_a_bad_one_in_a_batch(photos,
                                                                tmp_path):
    (photos / "broken.jpg").write_bytes(b"not a jpeg")
    jobs, is_batch = stylize_jobs.plan(str(photos), str(tmp_path / "out"))
    done_counts = []

    written, failed = stylize_jobs.run(jobs, _inverted, is_batch,
                                       on_done=done_counts.append)

    assert sorted(os.path.basename(job.source) for job, _, _ in written) == [
        "a.jpg", "a.png"]
    assert all(os.path.isfile(job.destination) for job, _, _ in written)
    [(bad_job, message)] = failed
    assert bad_job.source.endswith("broken.jpg") and "broken.jpg" in message
    assert not os.path.exists(bad_job.destination)
    assert done_counts == [1, 2, 3]


def test_run_raises_a_single_photos_error(photos, tmp_path):
    (photos / "broken.jpg").write_bytes(b"not a jpeg")
    jobs, is_batch = stylize_jobs.plan(str(photos / "broken.jpg"),
                                       str(tmp_path / "out.jpg"))

    with pytest.raises(Exception, match="broken.jpg"):
        stylize_jobs.run(jobs, _inverted, is_batch)
    assert not os.path.exists(tmp_path / "out.jpg")
