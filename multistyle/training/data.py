"""Content photos for training: image folders (PIL/numpy) and tfds.

The folder loader needs no TensorFlow, so training runs on the JAX backend
on machines without it. `tfds:NAME[:SPLIT]` sources import TensorFlow
lazily, only when asked for.
"""

import threading

from absl import logging
import keras
import numpy as np

from multistyle.io import image_io

TFDS_PREFIX = "tfds:"


def center_crop(image, size):
    """Resizes the short side to `size` and takes the central square.
    uint8 HWC in and out."""
    image = image_io.resize_short_side(image, size)
    top = (image.shape[0] - size) // 2
    left = (image.shape[1] - size) // 2
    return image[top:top + size, left:left + size]


def random_crop(image, size, rng):
    """A random `size`-square crop of an image whose short side is `size`,
    flipped left-right with probability 1/2. uint8 HWC in and out."""
    height, width = image.shape[:2]
    top = rng.integers(0, height - size + 1)
    left = rng.integers(0, width - size + 1)
    crop = image[top:top + size, left:left + size]
    return crop[:, ::-1] if rng.random() < 0.5 else crop


class ImageFolderDataset(keras.utils.PyDataset):
    """Endless batches of random photo crops, each with a random style.

    Row `r` of batch `i` of epoch `e` depends only on `(seed, e, i, r)`, so
    a resumed run sees the same data as an uninterrupted one, and the
    processes of a multi-host run (`num_processes`) each decode only their
    own rows of the batch one process would see. Unreadable files are
    skipped (the next file is used instead) and counted in `num_skipped`.

    Args:
        files: Image paths (see `image_io.find_images`).
        batch_size: Examples per (global) batch.
        image_size: Side of the square crops, pixels.
        num_styles: Each example gets a one-hot style vector of this length.
        steps_per_epoch: Batches per epoch.
        seed: Base random seed.
        max_photo_size: If above `image_size`, each photo is first resized
            to a random short side in `[image_size, max_photo_size]`
            (random scale augmentation); 0 keeps it at `image_size`.
        initial_epoch: Epoch the first batch belongs to (for resuming).
        process_index, num_processes: This process yields rows
            `[process_index * n, (process_index + 1) * n)` of each batch,
            `n = batch_size // num_processes` (which must divide).
        cache_bytes: Keep up to this many bytes of decoded, resized photos
            in memory, so later epochs skip JPEG decoding and resizing (the
            crops are the same either way).
        **kwargs: `keras.utils.PyDataset` arguments (`workers`, ...).

    Each batch is `((images, style_weights),)`: float32 RGB [0, 1] of shape
    `(n, image_size, image_size, 3)` and one-hot `(n, num_styles)`.
    """

    def __init__(self, files, batch_size, image_size, num_styles,
                 steps_per_epoch, seed=0, initial_epoch=0, max_photo_size=0,
                 cache_bytes=2 * 1024**3, process_index=0, num_processes=1,
                 **kwargs):
        super().__init__(**kwargs)
        if not files:
            raise ValueError("No content images given.")
        if batch_size % num_processes or not 0 <= process_index < (
                num_processes):
            raise ValueError(
                "`batch_size` must split evenly over `num_processes` and "
                "`process_index` be one of them. Received: "
                f"batch_size={batch_size}, num_processes={num_processes}, "
                f"process_index={process_index}")
        self.files = list(files)
        self.batch_size = batch_size
        self.image_size = image_size
        self.max_photo_size = max(max_photo_size, image_size)
        self.num_styles = num_styles
        self.steps_per_epoch = steps_per_epoch
        self.seed = seed
        self.epoch = initial_epoch
        rows = batch_size // num_processes
        self.rows = range(process_index * rows, (process_index + 1) * rows)
        self.num_skipped = 0
        self._lock = threading.Lock()
        self._bad_files = set()
        self._cache = {}
        self._cache_bytes_left = cache_bytes

    def __len__(self):
        return self.steps_per_epoch

    def on_epoch_end(self):
        self.epoch += 1
        if self.num_skipped:
            logging.warning("Skipped %d unreadable content image(s) so far.",
                            self.num_skipped)

    def _read(self, index, rng):
        for attempt in range(len(self.files)):
            path = self.files[(index + attempt) % len(self.files)]
            if path in self._bad_files:
                continue
            try:
                return random_crop(self._scaled(path, rng), self.image_size,
                                   rng)
            except (image_io.ImageReadError, FileNotFoundError) as e:
                with self._lock:
                    if path not in self._bad_files:
                        self._bad_files.add(path)
                        self.num_skipped += 1
                        logging.warning("Skipping content image: %s", e)
        raise ValueError("None of the content images could be read.")

    def _scaled(self, path, rng):
        """The photo at a random short side in [image_size, max_photo_size]."""
        image = self._resized(path)
        if self.max_photo_size == self.image_size:
            return image
        size = int(rng.integers(self.image_size, self.max_photo_size + 1))
        return image_io.resize_short_side(image, size)

    def _resized(self, path):
        """The photo at short side `max_photo_size`, cached."""
        image = self._cache.get(path)
        if image is None:
            image = image_io.resize_short_side(image_io.load_image(path),
                                               self.max_photo_size)
            with self._lock:
                if image.nbytes <= self._cache_bytes_left:
                    self._cache[path] = image
                    self._cache_bytes_left -= image.nbytes
        return image

    def __getitem__(self, index):
        return self.batch(self.epoch, index)

    def batch(self, epoch, index):
        """Batch `index` of `epoch` (this process's rows), whatever epoch
        the dataset is in."""
        images, style_ids = [], []
        for row in self.rows:
            rng = np.random.default_rng([self.seed, epoch, index, row])
            images.append(self._read(int(rng.integers(len(self.files))), rng))
            style_ids.append(rng.integers(self.num_styles))
        style_weights = np.eye(self.num_styles, dtype=np.float32)[style_ids]
        return ((image_io.to_float(np.stack(images)), style_weights),)


def parse_tfds_source(source):
    """`tfds:NAME[:SPLIT]` -> (NAME, SPLIT); the split defaults to train."""
    parts = source[len(TFDS_PREFIX):].split(":")
    if not parts[0] or len(parts) > 2:
        raise ValueError(
            f"Bad tfds source {source!r}; expected tfds:NAME[:SPLIT], e.g. "
            "tfds:coco/2017:train.")
    return parts[0], parts[1] if len(parts) == 2 else "train"


def tfds_dataset(source, batch_size, image_size, num_styles, seed=0,
                 data_dir=None):
    """Endless `tf.data` batches of random crops from a tfds image dataset.

    Needs TensorFlow and tensorflow-datasets. Yields the same structure as
    `ImageFolderDataset`: `((images, style_weights),)`.

    Args:
        source: `tfds:NAME[:SPLIT]`; the dataset needs an `image` feature.
        batch_size, image_size, num_styles, seed: As `ImageFolderDataset`.
        data_dir: tfds data directory (None: tfds' default).
    """
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

    name, split = parse_tfds_source(source)
    ds = tfds.load(name, split=split, data_dir=data_dir,
                   shuffle_files=True, read_config=tfds.ReadConfig(
                       shuffle_seed=seed))

    def crop(example):
        image = tf.image.convert_image_dtype(example["image"], tf.float32)
        if image.shape.rank == 3 and image.shape[-1] == 1:
            image = tf.image.grayscale_to_rgb(image)
        image = image[..., :3]
        shape = tf.cast(tf.shape(image)[:2], tf.float32)
        scale = image_size / tf.reduce_min(shape)
        new_shape = tf.cast(tf.math.ceil(shape * scale), tf.int32)
        image = tf.image.resize(image, new_shape, antialias=True)
        image = tf.image.random_crop(image, (image_size, image_size, 3))
        image = tf.image.random_flip_left_right(image)
        style_id = tf.random.uniform((), 0, num_styles, dtype=tf.int32)
        return (tf.clip_by_value(image, 0.0, 1.0),
                tf.one_hot(style_id, num_styles))

    ds = ds.repeat().shuffle(1024, seed=seed).map(
        crop, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.batch(batch_size, drop_remainder=True).map(
        lambda images, weights: ((images, weights),)).prefetch(
            tf.data.AUTOTUNE)
