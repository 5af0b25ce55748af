import numpy as np

from multistyle.inference import shape_buckets


def test_buckets_cover_each_side_with_bounded_padding():
    for side in range(1, 4097):
        bucket = shape_buckets.bucket_side(side)
        assert bucket >= side
        assert bucket - side < max(shape_buckets.MIN_STEP, side / 8)
    assert shape_buckets.bucket_side(512) == 512
    assert shape_buckets.bucket_side(513) == 576


def test_few_buckets_serve_every_size():
    buckets = {shape_buckets.bucket_side(side) for side in range(1, 2049)}
    # The 16 multiples of 16 up to 256, then 8 per octave up to 2048.
    assert len(buckets) == 16 + 8 * 3


def test_batches_round_up_to_a_power_of_two():
    assert [shape_buckets.bucket_batch(n) for n in (1, 2, 3, 5, 8)] == [
        1, 2, 4, 8, 8]


def test_pad_to_bucket_keeps_the_images_top_left():
    images = np.random.default_rng(0).random((3, 20, 33, 3))
    padded = shape_buckets.pad_to_bucket(images)
    assert padded.shape == (4, 32, 48, 3)
    np.testing.assert_array_equal(padded[:3, :20, :33], images)
    assert not padded[3:].any() and not padded[:, 20:].any()
