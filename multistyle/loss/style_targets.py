"""Target Gram matrices of the style paintings, computed once and cached."""

import hashlib
import json
import os

import numpy as np

from multistyle.io import atomic_files
from multistyle.io import image_io
from multistyle.loss import losses


def load_style_image(path, size):
    """Reads a painting as float32 RGB [0, 1] with its short side `size`."""
    return image_io.to_float(
        image_io.resize_short_side(image_io.load_image(path), size))


def compute_style_grams(extractor, images):
    """Gram matrices of each style image for each layer of `extractor`.

    Args:
        extractor: `VGGFeatures.extractor(style_layers)`.
        images: List of float32 HWC images in [0, 1], any sizes.

    Returns:
        Dict mapping layer name to float32 `(num_images, C, C)`.
    """
    grams = {}
    for image in images:
        features = extractor(image[None])
        for name, value in features.items():
            grams.setdefault(name, []).append(
                np.asarray(losses.gram_matrix(value))[0])
    return {name: np.stack(values).astype(np.float32)
            for name, values in grams.items()}


def painting_gradient_energies(paths, size):
    """`losses.gradient_energy` of each painting with its short side
    `size`: the texture loss's targets, float32 `(num_paintings,)`."""
    return np.array([float(losses.gradient_energy(
        load_style_image(path, size)[None])[0]) for path in paths],
        np.float32)


def _cache_key(paths, size, layers, vgg_weights):
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    digest.update(json.dumps([size, sorted(layers), str(vgg_weights)])
                  .encode())
    return digest.hexdigest()[:16]


def cached_style_grams(paths, size, vgg, layers, vgg_weights, cache_dir):
    """`compute_style_grams` for image files, cached in `cache_dir`.

    The cache file is keyed by the images' bytes, the size, the layers and
    the VGG weights, so a changed painting is never served stale targets.
    """
    key = _cache_key(paths, size, layers, vgg_weights)
    cache_path = os.path.join(cache_dir, f"style_grams-{key}.npz")
    if os.path.exists(cache_path):
        with np.load(cache_path) as data:
            return {name: data[name] for name in data.files}
    images = [load_style_image(p, size) for p in paths]
    grams = compute_style_grams(vgg.extractor(list(layers)), images)
    atomic_files.atomic_write(cache_path, lambda tmp: np.savez(tmp, **grams),
                          suffix=".npz")
    return grams
