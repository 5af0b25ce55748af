import os

import numpy as np
from PIL import Image
import pytest

from multistyle.io import image_io
from tests.conftest import write_image


def test_loads_grayscale_as_rgb(tmp_path):
    path = str(tmp_path / "gray.png")
    Image.fromarray(np.full((5, 7), 200, np.uint8), "L").save(path)
    image = image_io.load_image(path)
    assert image.shape == (5, 7, 3) and image.dtype == np.uint8
    assert np.all(image == 200)


def test_composites_rgba_on_white(tmp_path):
    path = str(tmp_path / "rgba.png")
    pixels = np.zeros((2, 2, 4), np.uint8)
    pixels[0, 0] = (255, 0, 0, 255)  # Opaque red; the rest transparent.
    Image.fromarray(pixels, "RGBA").save(path)
    image = image_io.load_image(path)
    assert tuple(image[0, 0]) == (255, 0, 0)
    assert tuple(image[1, 1]) == (255, 255, 255)


def test_rescales_16_bit_png(tmp_path):
    path = str(tmp_path / "deep.png")
    Image.fromarray(np.full((3, 3), 65535, np.uint16)).save(path)
    assert Image.open(path).mode.startswith("I")
    assert np.all(image_io.load_image(path) == 255)


def test_truncated_file_raises_image_read_error(tmp_path):
    path = str(tmp_path / "cut.jpg")
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(path)
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])
    with pytest.raises(image_io.ImageReadError, match="cut.jpg"):
        image_io.load_image(path)


def test_missing_and_non_image_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        image_io.load_image(str(tmp_path / "absent.png"))
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    with pytest.raises(image_io.ImageReadError, match="not a readable"):
        image_io.load_image(str(text))


def test_save_round_trip_and_no_temp_files_left(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (9, 11, 3), np.uint8)
    path = str(tmp_path / "out" / "x.png")
    image_io.save_image(path, image)
    np.testing.assert_array_equal(image_io.load_image(path), image)
    assert os.listdir(tmp_path / "out") == ["x.png"]


def test_crash_while_saving_leaves_no_file(tmp_path, monkeypatch):
    def write_half_then_fail(self, fp, *args, **kwargs):
        open(fp, "wb").write(b"\x89PNG half")
        raise KeyboardInterrupt  # As if the user pressed Ctrl-C.

    monkeypatch.setattr(Image.Image, "save", write_half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        image_io.save_image(str(tmp_path / "x.png"),
                            np.zeros((2, 2, 3), np.uint8))
    assert os.listdir(tmp_path) == []


def test_float_uint8_conversions_round_trip():
    image = np.arange(256, dtype=np.uint8).reshape(16, 16, 1)
    np.testing.assert_array_equal(
        image_io.to_uint8(image_io.to_float(image)), image)


def test_find_images_is_recursive_and_filters_extensions(photo_dir):
    open(os.path.join(photo_dir, "readme.txt"), "w").write("x")
    files = image_io.find_images(photo_dir)
    assert len(files) == 6
    assert any("nested" in f for f in files)


def test_find_images_takes_a_folder_name_literally(tmp_path):
    folder = tmp_path / "shots [2024]"
    write_image(str(folder / "a.png"), 8, 8)
    assert image_io.find_images(str(folder)) == [str(folder / "a.png")]


def test_find_images_globs_match_subfolders_with_two_stars(photo_dir):
    files = image_io.find_images(os.path.join(photo_dir, "**", "*.png"))
    assert [os.path.basename(f) for f in files] == ["photo5.png"]


def test_find_images_of_one_file_is_that_file(photo_dir):
    path = os.path.join(photo_dir, "photo0.jpg")
    assert image_io.find_images(path) == [path]


def test_float_and_uint8_round_trip():
    pixels = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(image_io.to_uint8(image_io.to_float(
        pixels)), pixels)


def test_to_uint8_rounds_and_clips():
    np.testing.assert_array_equal(
        image_io.to_uint8([-0.5, 0.5 / 255, 1.49 / 255, 2.0]), [0, 1, 1, 255])


def test_split_holdout_takes_every_nth_file():
    files = [f"{i:03d}.jpg" for i in range(25)]
    train, held_out = image_io.split_holdout(files, every=10)
    assert held_out == ["000.jpg", "010.jpg", "020.jpg"]
    assert len(train) == 22 and not set(train) & set(held_out)
    assert image_io.split_holdout(files, every=0) == (files, [])
