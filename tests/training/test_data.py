import os

import numpy as np
import pytest

from multistyle.io import image_io
from multistyle.training import data


def test_batches_have_expected_shapes_and_one_hot_styles(photo_dir):
    ds = data.ImageFolderDataset(image_io.find_images(photo_dir),
                                 batch_size=3, image_size=16, num_styles=4,
                                 steps_per_epoch=2)
    ((images, weights),) = ds[0]
    assert images.shape == (3, 16, 16, 3) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_array_equal(weights.sum(axis=1), 1.0)
    assert weights.shape == (3, 4)


def test_batches_are_deterministic_per_epoch_and_index(photo_dir):
    files = image_io.find_images(photo_dir)
    a = data.ImageFolderDataset(files, 2, 16, 3, steps_per_epoch=2, seed=1)
    b = data.ImageFolderDataset(files, 2, 16, 3, steps_per_epoch=2, seed=1,
                                initial_epoch=1)
    same = data.ImageFolderDataset(files, 2, 16, 3, steps_per_epoch=2, seed=1)
    other = data.ImageFolderDataset(files, 2, 16, 3, steps_per_epoch=2, seed=2)
    np.testing.assert_array_equal(a[1][0][0], same[1][0][0])
    assert not np.array_equal(a[1][0][0], other[1][0][0])
    a.on_epoch_end()  # a is now in epoch 1, like b.
    np.testing.assert_array_equal(a[0][0][0], b[0][0][0])


def test_unreadable_files_are_skipped_and_counted(photo_dir):
    bad = os.path.join(photo_dir, "broken.jpg")
    open(bad, "wb").write(b"\xff\xd8\xff garbage")
    files = image_io.find_images(photo_dir)
    ds = data.ImageFolderDataset([bad] * 3 + files, batch_size=4,
                                 image_size=16, num_styles=2,
                                 steps_per_epoch=1)
    for i in range(5):
        ds[i]
    assert ds.num_skipped == 1


def test_random_crop_of_wide_image_is_square():
    image = np.zeros((8, 30, 3), np.uint8)
    crop = data.random_crop(image, 8, np.random.default_rng(0))
    assert crop.shape == (8, 8, 3)


def test_cached_photos_give_the_same_batches(photo_dir):
    files = image_io.find_images(photo_dir)
    cached = data.ImageFolderDataset(files, 3, 16, 2, steps_per_epoch=4)
    uncached = data.ImageFolderDataset(files, 3, 16, 2, steps_per_epoch=4,
                                       cache_bytes=0)
    for i in range(4):
        np.testing.assert_array_equal(cached[i][0][0], uncached[i][0][0])
    assert cached._cache and not uncached._cache


@pytest.mark.parametrize("source,expected", [
    ("tfds:coco/2017", ("coco/2017", "train")),
    ("tfds:imagenette:validation", ("imagenette", "validation")),
])
def test_parse_tfds_source(source, expected):
    assert data.parse_tfds_source(source) == expected


def test_parse_tfds_source_rejects_empty_name():
    with pytest.raises(ValueError, match="tfds:NAME"):
        data.parse_tfds_source("tfds:")


def test_tfds_dataset_yields_crops(tmp_path):
    import keras
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tfds input pipelines run with TensorFlow installed; "
                    "this run checks the TF-free path")
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=8):
        ds = data.tfds_dataset("tfds:mnist", batch_size=2, image_size=12,
                               num_styles=3)
        ((images, weights),) = next(iter(ds))
    assert tuple(images.shape) == (2, 12, 12, 3)
    assert tuple(weights.shape) == (2, 3)



def test_random_scale_paints_crops_from_larger_photos(photo_dir):
    files = image_io.find_images(photo_dir)
    plain = data.ImageFolderDataset(files, 4, 16, 2, steps_per_epoch=2)
    scaled = data.ImageFolderDataset(files, 4, 16, 2, steps_per_epoch=2,
                                     max_photo_size=48)
    plain_batch = plain[0][0][0]
    scaled_batch = scaled[0][0][0]
    assert scaled_batch.shape == plain_batch.shape
    np.testing.assert_array_equal(scaled_batch, scaled[0][0][0])
    # Zoomed-in crops of smooth photos vary less between neighbours.
    def roughness(batch):
        return np.mean(np.abs(np.diff(batch, axis=2)))
    assert roughness(scaled_batch) < roughness(plain_batch)
