import numpy as np
from PIL import Image
import pytest

from multistyle.inference import stylizer as stylizer_lib
from multistyle.inference import tiling
from multistyle.io import image_io


def _photo(height, width, seed=0):
    """Smooth random uint8 RGB image."""
    small = np.random.default_rng(seed).integers(
        0, 256, (max(2, height // 8), max(2, width // 8), 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize(
        (width, height), Image.Resampling.BILINEAR))


def _box_blur(tile):
    """A local (3x3) function: tiling must not change it off tile edges."""
    x = np.pad(image_io.to_float(tile), [(1, 1), (1, 1), (0, 0)], "edge")
    h, w = tile.shape[:2]
    return sum(x[i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9


def _column_gradient_energy(image):
    return np.abs(np.diff(image.astype(np.float64), axis=1)).mean(axis=(0, 2))


@pytest.mark.parametrize("length,tile,overlap", [(100, 40, 10), (1000, 256, 64),
                                                 (257, 256, 64), (30, 64, 8)])
def test_tiles_cover_the_image_with_the_overlap(length, tile, overlap):
    starts = tiling.tile_starts(length, tile, overlap)
    assert starts[0] == 0
    assert starts[-1] + min(tile, length) == length
    assert all(b - a <= tile - overlap for a, b in zip(starts, starts[1:]))


def test_blend_weights_sum_to_one_everywhere():
    starts = tiling.tile_starts(1000, 256, 64)
    total = np.zeros(1000)
    for start, w in zip(starts, tiling.blend_weights(1000, starts, 256)):
        total[start:start + 256] += w
    np.testing.assert_allclose(total, 1.0, atol=1e-6)


def test_pointwise_function_gives_the_untiled_result():
    image = _photo(150, 170)
    out = tiling.map_tiles(image, lambda t: 1.0 - image_io.to_float(t),
                           tile_size=64, overlap=16)
    np.testing.assert_array_equal(out, 255 - image)


def test_local_function_matches_untiled_result():
    image = _photo(150, 170)
    tiled = tiling.map_tiles(image, _box_blur, tile_size=64, overlap=16)
    untiled = image_io.to_uint8(_box_blur(image))
    assert np.abs(tiled.astype(int) - untiled).max() <= 1


def test_function_sees_tiles_no_larger_than_tile_size():
    shapes = []

    def record(tile):
        shapes.append(tile.shape)
        return image_io.to_float(tile)

    tiling.map_tiles(_photo(200, 90), record, tile_size=64, overlap=16)
    assert max(max(s[:2]) for s in shapes) == 64
    assert len(shapes) == len(tiling.tile_starts(200, 64, 16)) * len(
        tiling.tile_starts(90, 64, 16))


def test_zero_tile_size_processes_whole_image_once():
    calls = []
    tiling.map_tiles(_photo(50, 70), lambda t: calls.append(t.shape) or
                     image_io.to_float(t), tile_size=0)
    assert calls == [(50, 70, 3)]


def test_reports_progress_per_tile():
    progress = []
    tiling.map_tiles(_photo(100, 100), image_io.to_float, tile_size=64,
                     overlap=16, on_tile=lambda done, total:
                     progress.append((done, total)))
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("tile_size,overlap,message", [
    (8, 0, "at least 32"), (64, 40, "half the tile"), (64, -1, "overlap")])
def test_rejects_bad_tile_sizes(tile_size, overlap, message):
    with pytest.raises(ValueError, match=message):
        tiling.map_tiles(_photo(100, 100), image_io.to_float,
                         tile_size=tile_size, overlap=overlap)


def _periodic_photo(size, period):
    yy, xx = np.mgrid[0:size, 0:size]
    waves = [np.sin(2 * np.pi * xx / period), np.cos(2 * np.pi * yy / period),
             np.sin(2 * np.pi * (xx + yy) / period)]
    return np.stack([128 + 100 * w for w in waves], -1).astype(np.uint8)


def _network_function(model_dir, style=0):
    net = stylizer_lib.Stylizer(model_dir)._network
    weights = np.eye(3, dtype=np.float32)[[style]]
    return lambda tile: net(image_io.to_float(tile)[None], weights)[0]


def test_network_tiles_match_untiled_on_a_stationary_photo(model_dir):
    """Every tile of a periodic photo (tile stride = its period) has the
    image's norm statistics, so tiling only cuts off context at tile edges,
    which the feathering hides."""
    stylize = _network_function(model_dir)
    image = _periodic_photo(128, period=32)
    untiled = image_io.to_uint8(stylize(image)).astype(np.float64)
    tiled = tiling.map_tiles(image, stylize, tile_size=96, overlap=32)
    error = np.abs(tiled - untiled)
    # Small next to the image's contrast (std ~45 of 255).
    assert error.mean() < 0.1 * untiled.std()
    assert np.percentile(error, 99) < 0.4 * untiled.std()


def test_feathered_network_tiles_leave_no_visible_seam(model_dir):
    """Per-tile norm statistics differ, but the blend hides tile edges.

    The gradient energy at tile-edge columns stays close to the image's
    typical column energy; hard cuts (no overlap) do show the seam.
    """
    stylize = _network_function(model_dir)
    image = _photo(128, 128, seed=3)
    edges = [31, 63, 95]  # Gradients across the edges of 64-px tiles.
    feathered = _column_gradient_energy(
        tiling.map_tiles(image, stylize, tile_size=64, overlap=32))
    hard = _column_gradient_energy(
        tiling.map_tiles(image, stylize, tile_size=64, overlap=0))
    assert feathered[edges].max() / np.median(feathered) < 1.3
    assert hard[63] / np.median(hard) > 1.6


def test_function_gets_the_window_of_its_tile():
    image = _photo(100, 90)
    windows = []

    def record(tile, window):
        np.testing.assert_array_equal(tile, image[window])
        windows.append(window)
        return image_io.to_float(tile)

    out = tiling.map_tiles(image, record, tile_size=64, overlap=16,
                           with_window=True)
    np.testing.assert_array_equal(out, image)
    assert len(windows) == 4 and windows[0] == np.s_[0:64, 0:64]


def test_uint8_results_blend_as_their_float_values():
    image = _photo(150, 170)
    as_uint8 = tiling.map_tiles(image, lambda t: 255 - t, tile_size=64,
                                overlap=16)
    as_float = tiling.map_tiles(image, lambda t: 1 - image_io.to_float(t),
                                tile_size=64, overlap=16)
    np.testing.assert_array_equal(as_uint8, as_float)
    np.testing.assert_array_equal(as_uint8, 255 - image)


def test_one_tile_returns_a_uint8_result_as_it_is():
    image = _photo(50, 70)
    result = 255 - image
    out = tiling.map_tiles(image, lambda t: result, tile_size=0)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, result)
