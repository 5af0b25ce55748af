import numpy as np

from multistyle.loss import losses


def test_gram_of_known_tensor():
    # One image, 2x1 pixels, 2 channels: F = [[1, 2], [3, 4]].
    features = np.array([[[[1.0, 2.0]], [[3.0, 4.0]]]], "float32")
    gram = np.asarray(losses.gram_matrix(features))
    expected = np.array([[1 + 9, 2 + 12], [2 + 12, 4 + 16]]) / (2 * 1 * 2)
    np.testing.assert_allclose(gram[0], expected, rtol=1e-6)


def test_gram_is_symmetric_and_size_independent():
    rng = np.random.default_rng(0)
    tile = rng.random((1, 4, 4, 3), "float32")
    gram = np.asarray(losses.gram_matrix(tile))[0]
    np.testing.assert_allclose(gram, gram.T, rtol=1e-6)
    tiled = np.tile(tile, (1, 3, 2, 1))  # Same statistics, 6x the pixels.
    np.testing.assert_allclose(np.asarray(losses.gram_matrix(tiled))[0],
                               gram, rtol=1e-5)


def test_style_loss_against_own_targets_is_zero():
    features = np.random.default_rng(1).random((2, 5, 5, 4), "float32")
    targets = losses.gram_matrix(features)
    np.testing.assert_allclose(losses.style_loss(features, targets), 0.0,
                               atol=1e-9)


def test_style_loss_is_positive_for_other_targets():
    rng = np.random.default_rng(2)
    features = rng.random((2, 5, 5, 4), "float32")
    other = losses.gram_matrix(rng.random((2, 5, 5, 4), "float32") * 2)
    assert np.all(np.asarray(losses.style_loss(features, other)) > 0)


def test_content_loss_is_relative_per_example_mse():
    targets = np.stack([np.full((3, 3, 2), 1.0), np.full((3, 3, 2), 2.0)])
    features = targets * np.array([1.5, 0.0]).reshape(2, 1, 1, 1)
    # (0.5^2) / 1^2 and (2^2) / 2^2.
    np.testing.assert_allclose(losses.content_loss(features, targets),
                               [0.25, 1.0], rtol=1e-6)


def test_style_loss_does_not_depend_on_feature_scale():
    rng = np.random.default_rng(3)
    features = rng.random((1, 4, 4, 3), "float32")
    target = losses.gram_matrix(rng.random((1, 4, 4, 3), "float32"))
    scaled = losses.style_loss(features * 100, np.asarray(target) * 1e4)
    np.testing.assert_allclose(scaled, losses.style_loss(features, target),
                               rtol=1e-4)


def test_total_variation_of_constant_image_is_zero():
    images = np.full((2, 7, 9, 3), 0.3, "float32")
    np.testing.assert_allclose(losses.total_variation_loss(images), 0.0,
                               atol=1e-12)


def test_total_variation_of_stripes():
    images = np.zeros((1, 4, 4, 1), "float32")
    images[:, :, 1::2] = 1.0  # Vertical stripes: every dx is +-1, dy is 0.
    np.testing.assert_allclose(losses.total_variation_loss(images), [1.0])


def test_pixel_distance_is_the_mean_absolute_difference():
    images = np.zeros((2, 2, 2, 3), "float32")
    targets = np.zeros_like(images)
    targets[0, 0, 0, :] = 0.8  # One of 4 pixels differs by 0.8 in example 0.
    np.testing.assert_allclose(losses.pixel_distance(images, targets),
                               [0.2, 0.0], rtol=1e-6)


def test_edge_distance_ignores_brightness_and_sees_strokes():
    flat = np.full((1, 4, 4, 1), 0.2, "float32")
    brighter = flat + 0.5
    stripes = flat.copy()
    stripes[:, :, 1::2] = 1.0  # Vertical strokes: every dx is +-0.8.
    np.testing.assert_allclose(losses.edge_distance(brighter, flat), [0.0],
                               atol=1e-7)
    np.testing.assert_allclose(losses.edge_distance(stripes, flat), [0.8],
                               rtol=1e-6)


def test_instance_normalized_has_zero_mean_and_unit_spread_per_channel():
    features = np.random.default_rng(5).standard_normal((2, 6, 7, 3))
    features = features * [1.0, 30.0, 0.2] + [5.0, -2.0, 0.0]
    normalized = np.asarray(losses.instance_normalized(features))
    np.testing.assert_allclose(normalized.mean((1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(normalized.std((1, 2)), 1.0, rtol=1e-3)


def test_droplet_loss_is_the_squared_excess_of_a_lone_spike():
    features = np.zeros((2, 10, 10, 1), "float32")
    features[0, 3, 4, 0] = 100.0  # One of 100 pixels lit: a droplet.
    features[1] = np.arange(100, dtype="float32").reshape(10, 10, 1)
    spike = (1 - 0.01) / np.sqrt(0.01 - 0.01 ** 2)  # 9.95 std out.
    np.testing.assert_allclose(losses.droplet_loss(features),
                               [(spike - 4.0) ** 2 / 100, 0.0], rtol=1e-4)


def test_droplet_loss_does_not_depend_on_scale_or_offset():
    features = np.random.default_rng(4).standard_normal((1, 8, 8, 3))
    features[0, 0, 0] = 12.0
    np.testing.assert_allclose(losses.droplet_loss(features * 50 + 7),
                               losses.droplet_loss(features), rtol=1e-4)
    assert float(np.asarray(losses.droplet_loss(features))[0]) > 0


def test_gradient_energy_is_zero_on_flat_and_higher_on_textured_images():
    flat = np.full((1, 16, 16, 3), 0.4, np.float32)
    stripes = flat.copy()
    stripes[:, :, np.arange(16) % 4 < 2] = 0.9  # Sobel sees period 4.
    energy = np.asarray(losses.gradient_energy(np.concatenate([flat,
                                                               stripes])))
    assert energy[0] < 1e-6 and energy[1] > 0.5


def test_texture_loss_counts_only_a_shortfall():
    stripes = np.full((2, 16, 16, 3), 0.4, np.float32)
    stripes[:, :, np.arange(16) % 4 < 2] = 0.9
    energy = float(np.asarray(losses.gradient_energy(stripes))[0])
    loss = np.asarray(losses.texture_loss(
        stripes, np.array([energy / 2, energy * 2], np.float32)))
    np.testing.assert_allclose(loss, [0.0, 0.25], atol=1e-4)


def test_patch_texture_loss_counts_flat_patches_that_the_mean_hides():
    # Left half striped, right half flat: the whole image's mean texture
    # meets half the striped energy, but half of its 8 px patches are flat.
    half = np.full((1, 34, 34, 3), 0.4, np.float32)
    half[:, :, np.arange(34) % 4 < 2] = 0.9
    half[:, :, 17:] = 0.4
    stripes_energy = float(np.asarray(losses.gradient_energy(
        half[:, :, :16]))[0])
    target = np.array([stripes_energy / 2.5], np.float32)

    whole = float(np.asarray(losses.texture_loss(half, target))[0])
    patches = float(np.asarray(losses.texture_loss(half, target, 8))[0])

    assert whole == 0.0
    assert patches > 0.3
    # The 32x32 gradient map's 16 patches of 8x8, computed in numpy.
    magnitude = np.asarray(losses.gradient_magnitude(half))[0]
    patch_energy = magnitude.reshape(4, 8, 4, 8).mean(axis=(1, 3))
    np.testing.assert_allclose(
        patches, np.mean(np.maximum(0, 1 - patch_energy / target) ** 2),
        rtol=1e-5)
    # A patch larger than the image is the whole image.
    assert float(np.asarray(losses.texture_loss(half, target, 64))[0]) == 0
