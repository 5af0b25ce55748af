"""The original optimization method of Gatys, Ecker & Bethge (2016).

Optimizes the pixels of one image so that its VGG-19 features match a
photo's content and a painting's Gram matrices. Slow (hundreds of steps per
image) but the quality reference for the fast network: it uses the same
losses, through `MultiStyleTrainer`, with the pixels standing in for the
transfer network.

Reference: Gatys, Ecker & Bethge, "Image Style Transfer Using
Convolutional Neural Networks", CVPR 2016.
"""

import keras
from keras import ops
import numpy as np

from multistyle.training import trainer as trainer_lib

# The paper's content/style ratios (alpha/beta = 1e-3 .. 1e-4) are for
# unnormalized sums; with this project's relative losses (losses.py) the
# same range of results, from "photo with painted texture" to "painting
# with the photo's layout", spans content weights 1.0 .. 0.1 against a style
# weight of 1 (measured on BSDS500 photos, see README "Loss weights").
DEFAULT_CONTENT_WEIGHT = 0.3
DEFAULT_NUM_STEPS = 300
DEFAULT_LEARNING_RATE = 0.02


@keras.saving.register_keras_serializable(package="multistyle")
class _Pixels(keras.layers.Layer):
    """An image held as a trainable weight, float RGB in [0, 1]."""

    def __init__(self, initial_image, **kwargs):
        super().__init__(**kwargs)
        self.pixels = self.add_weight(
            name="pixels", shape=initial_image.shape,
            initializer=keras.initializers.Constant(initial_image),
            constraint=lambda x: ops.clip(x, 0.0, 1.0))

    def call(self, inputs):
        return ops.convert_to_tensor(self.pixels)[None]


class _SameBatch(keras.utils.PyDataset):
    """The photo and a one-hot style vector, every step."""

    def __init__(self, photo, steps):
        super().__init__()
        self.batch = ((photo[None], np.ones((1, 1), np.float32)),)
        self.steps = steps

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        return self.batch


def optimize_image(photo, style_grams, vgg, content_layers,
                   style_layer_weights, content_weight=DEFAULT_CONTENT_WEIGHT,
                   tv_weight=0.0, num_steps=DEFAULT_NUM_STEPS,
                   learning_rate=DEFAULT_LEARNING_RATE, noise=0.05, seed=0,
                   verbose=1):
    """Paints `photo` in one style by optimizing its pixels with Adam.

    Uses the losses of `losses.py` (relative errors), so the content
    weight reads as "how much of the photo to keep" against a style weight
    of 1: 1.0 keeps the subject crisp, 0.1 paints over it.

    Args:
        photo: float32 HWC RGB in [0, 1].
        style_grams: Dict layer -> `(1, C, C)` target Gram matrices.
        vgg: `vgg_features.VGGFeatures`.
        content_layers: VGG layers of the content loss.
        style_layer_weights: Dict layer -> weight.
        content_weight: Content loss weight.
        tv_weight: Total variation weight (0 disables it).
        num_steps: Adam steps.
        learning_rate: Adam learning rate (pixels are in [0, 1]).
        noise: Std of the Gaussian noise added to the photo at the start.
        seed: Noise seed.
        verbose: Keras progress bar verbosity (1 shows a progress bar).

    Returns:
        `(image, losses)`: float32 HWC in [0, 1], and the final loss terms.
    """
    rng = np.random.default_rng(seed)
    start = np.clip(photo + rng.normal(0, noise, photo.shape), 0, 1)
    pixels = _Pixels(start.astype(np.float32), name="pixels")
    model = trainer_lib.MultiStyleTrainer(
        pixels, vgg, style_grams, content_layers=content_layers,
        content_weight=content_weight,
        style_layer_weights=style_layer_weights,
        style_coefficients=np.ones(1, np.float32), tv_weight=tv_weight)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    history = model.fit(_SameBatch(photo.astype(np.float32), num_steps),
                        epochs=1, verbose=verbose)
    image = np.asarray(pixels.pixels.numpy() if hasattr(
        pixels.pixels, "numpy") else pixels.pixels)
    return image, {k: v[-1] for k, v in history.history.items()}
