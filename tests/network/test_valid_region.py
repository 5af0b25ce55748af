import numpy as np
import pytest

from multistyle.network import valid_region

_RNG = np.random.default_rng(0)
_X = _RNG.random((2, 9, 11, 3)).astype(np.float32)


def _valid(height, width, batch=2):
    return np.tile(np.int32([[height, width]]), (batch, 1))


def test_reflect_pad_of_the_whole_image_is_reflect_padding():
    padded = np.asarray(valid_region.reflect_pad(_X, _valid(9, 11), 2))
    np.testing.assert_array_equal(
        padded, np.pad(_X, [(0, 0), (2, 2), (2, 2), (0, 0)], "reflect"))


@pytest.mark.parametrize("padding", [1, 4])
def test_reflect_pad_mirrors_at_the_valid_regions_edges(padding):
    padded = np.asarray(valid_region.reflect_pad(_X, _valid(6, 7), padding))
    region = np.pad(_X[:, :6, :7], [(0, 0), (padding, padding),
                                    (padding, padding), (0, 0)], "reflect")
    np.testing.assert_array_equal(padded[:, :6 + 2 * padding,
                                         :7 + 2 * padding], region)
    assert padded.shape == (2, 9 + 2 * padding, 11 + 2 * padding, 3)


def test_edge_pad_repeats_the_valid_regions_edges():
    padded = np.asarray(valid_region.edge_pad(_X, _valid(5, 4)))
    np.testing.assert_array_equal(
        padded[:, :7, :6],
        np.pad(_X[:, :5, :4], [(0, 0), (1, 1), (1, 1), (0, 0)], "edge"))


def test_moments_ignore_everything_outside_the_valid_region():
    garbage = _X.copy()
    garbage[:, 5:] = 1e3
    garbage[:, :, 4:] = -1e3
    mean, variance = (np.asarray(m) for m in valid_region.moments(
        garbage, _valid(5, 4)))
    region = _X[:, :5, :4]
    assert mean.shape == variance.shape == (2, 1, 1, 3)
    np.testing.assert_allclose(mean, region.mean(axis=(1, 2), keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(variance,
                               region.var(axis=(1, 2), keepdims=True),
                               rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("size,halved", [(8, 4), (9, 5), (1, 1)])
def test_halved_is_the_size_after_a_stride_2_convolution(size, halved):
    assert int(np.asarray(valid_region.halved(np.int32(size)))) == halved
