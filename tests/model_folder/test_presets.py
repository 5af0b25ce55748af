"""The shipped models and sample photo, found by name (`presets`)."""

import os

from PIL import Image
import pytest

from multistyle.model_folder import folder_io
from multistyle.model_folder import presets
from multistyle.model_folder import style_set
from tests.conftest import REPO_ROOT

_SHIPPED = ("multistyle16", "multistyle16_lite")


def _model_folder(path):
    folder_io.write_styles(str(path), [style_set.Style("a")])
    return str(path)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A package folder laid out as the wheel installs it, with one
    preset and the sample photo, in place of the checkout."""
    package = tmp_path / "site-packages" / "multistyle"
    _model_folder(package / presets.PACKAGE_PRESETS_DIR / "multistyle16")
    samples = package / presets.PACKAGE_SAMPLES_DIR
    samples.mkdir()
    Image.new("RGB", (8, 6)).save(samples / presets.SAMPLE_PHOTO_NAME)
    monkeypatch.setattr(presets, "_package_dir", lambda: package)
    return package


def test_names_list_the_shipped_models():
    assert set(_SHIPPED) <= set(presets.names())


@pytest.mark.parametrize("name", _SHIPPED)
def test_a_preset_name_resolves_to_its_model_folder(name):
    folder = presets.resolve_model_dir(name)

    assert os.path.samefile(folder,
                            os.path.join(REPO_ROOT, "saved_models", name))
    folder_io.check_folder(folder)


def test_an_existing_folder_wins_over_a_preset_of_its_name(tmp_path,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    _model_folder(tmp_path / "multistyle16")

    assert presets.resolve_model_dir("multistyle16") == "multistyle16"


def test_a_path_is_returned_as_given_for_the_reader_to_check():
    assert presets.resolve_model_dir("/no/such/model") == "/no/such/model"


def test_an_unknown_name_lists_the_presets_and_the_closest():
    with pytest.raises(FileNotFoundError,
                       match=r"multistyle16, multistyle16_lite.*"
                             r"Received: model='multistyle61'.*"
                             r"Did you mean 'multistyle16'\?"):
        presets.resolve_model_dir("multistyle61")


def test_errors_name_the_argument():
    with pytest.raises(FileNotFoundError, match="`teacher` must be"):
        presets.resolve_model_dir("nothing_here", argument="teacher")


def test_preset_dir_takes_only_preset_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _model_folder(tmp_path / "mine")

    with pytest.raises(FileNotFoundError, match="Received: preset='mine'"):
        presets.preset_dir("mine")


def test_the_installed_package_wins_over_a_checkout(installed):
    _model_folder(installed.parent / presets.CHECKOUT_PRESETS_DIR /
                  "multistyle16")

    assert presets.resolve_model_dir("multistyle16") == str(
        installed / "_presets" / "multistyle16")
    assert presets.names() == ["multistyle16"]


def test_the_sample_photo_of_an_installed_package(installed):
    assert presets.sample_photo() == str(installed / "_samples" /
                                         "photo.png")


def test_without_presets_the_error_says_none_are_installed(tmp_path,
                                                           monkeypatch):
    monkeypatch.setattr(presets, "_package_dir",
                        lambda: tmp_path / "bare" / "multistyle")

    assert presets.names() == []
    with pytest.raises(FileNotFoundError, match="none installed"):
        presets.resolve_model_dir("multistyle16")
    with pytest.raises(FileNotFoundError, match="not installed"):
        presets.sample_photo()


def test_the_sample_photo_is_the_checkouts_png():
    path = presets.sample_photo()

    assert os.path.samefile(path,
                            os.path.join(REPO_ROOT, "samples", "photo.png"))
    with Image.open(path) as photo:
        assert (photo.format, photo.size) == ("PNG", (640, 448))
