"""Input shapes rounded up to a few buckets, so compiled networks are reused.

JAX compiles a network once per input shape: over a second on a CPU for
each new photo size. Padded to a bucket (at the bottom and right, with the
network told the valid size, see `valid_region`), many sizes share one
compiled shape and give the same result as unpadded. Sides below 256 round
up to a multiple of `MIN_STEP`, longer ones to a multiple of 1/8 of the
largest power of two not above them (8 buckets per octave: 512, 576, ...,
1024, 1152, ...), so padding adds at most 12.5% per side; batch sizes
round up to a power of two.
"""

import numpy as np

MIN_STEP = 16


def bucket_side(side):
    """The padded length of an image side of `side` pixels (>= 1)."""
    step = max(MIN_STEP, (1 << (int(side).bit_length() - 1)) // 8)
    return -(-side // step) * step


def bucket_batch(size):
    """The padded batch size: the next power of two."""
    return 1 << (int(size) - 1).bit_length()


def pad_to_bucket(images):
    """Zero-pads an NHWC batch at the end of the batch, bottom and right
    to its bucket shape."""
    batch, height, width = images.shape[:3]
    padding = [(0, bucket_batch(batch) - batch),
               (0, bucket_side(height) - height),
               (0, bucket_side(width) - width)]
    return np.pad(images, padding + [(0, 0)] * (images.ndim - 3))
