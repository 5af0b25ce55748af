"""Paints for the server: the model for full size, a fast twin for previews.

A `Painter` holds two `Stylizer`s of the same styles: the full model
(downloads, TF Serving requests) and the preview model (the page's live
preview; the `_lite` model, the fastest, by default). Each network paints
one photo at a time (a lock each): LiteRT and Keras already use every
core for one photo, and an interpreter must not be called from two
threads at once. Everything else is per request, so no request sees
another's photo or options.
"""

import dataclasses
import os
import threading

import numpy as np

from multistyle.inference import style_choice
from multistyle.inference import style_masks
from multistyle.inference import stylizer as stylizer_lib

LITE_SUFFIX = "_lite"


@dataclasses.dataclass(frozen=True)
class PaintOptions:
    """How to paint one photo (see `Stylizer.stylize`).

    Args:
        weights: float32 `(num_styles,)`, used as given; None with
            `mask_mixes`.
        strength: In [0, 1]: 1 the painting, 0 the photo.
        preserve_color: Keep the photo's colours.
        stroke_scale: Stroke size, 1 the network's own.
        max_size: Downsize the photo's long side to this first, or None.
        preview: Paint with the preview model.
        mask_mixes: With a style mask: the weight vectors of its white
            and black regions (`style_masks.StyleMasks`), else None.
    """

    weights: np.ndarray | None
    strength: float = 1.0
    preserve_color: bool = False
    stroke_scale: float = 1.0
    max_size: int | None = None
    preview: bool = False
    mask_mixes: tuple | None = None


def default_preview_model(model_dir):
    """The `_lite` sibling of a model folder if there is one (the shipped
    `multistyle16` has `multistyle16_lite`), else the folder itself."""
    lite = os.path.normpath(model_dir) + LITE_SUFFIX
    return lite if os.path.isdir(lite) else model_dir


class Painter:
    """The server's two networks, behind one `paint` call.

    Args:
        model_dir: The model folder to serve.
        preview_model_dir: A model folder with the same styles, for
            previews; None paints previews with `model_dir` too.
        runtime: What runs the networks (`networks.RUNTIMES`); `"auto"`
            runs a folder's TFLite model with LiteRT when it has one, on
            any Keras backend, else `model.keras` or the SavedModel.

    Raises:
        FileNotFoundError, ValueError: As `Stylizer`, or if the two
            folders' styles differ.
    """

    def __init__(self, model_dir, preview_model_dir=None, runtime="auto"):
        self.full = stylizer_lib.Stylizer(model_dir, runtime=runtime)
        self.preview = self.full
        if preview_model_dir and (os.path.abspath(preview_model_dir)
                                  != os.path.abspath(model_dir)):
            self.preview = stylizer_lib.Stylizer(preview_model_dir,
                                                 runtime=runtime)
        if self.preview.style_names != self.full.style_names:
            raise ValueError(
                f"The preview model {preview_model_dir} must paint the "
                f"styles of {model_dir} in the same order. Received: "
                f"{self.preview.style_names} and {self.full.style_names}")
        self._locks = {id(s): threading.Lock()
                       for s in (self.full, self.preview)}

    @property
    def style_names(self):
        """The style names, in the order of the weight vector."""
        return self.full.style_names

    def weights(self, spec=None, style=None, normalize=True):
        """A weight vector from a mix or a single style, as
        `style_choice.resolve` (its errors list the valid names)."""
        return style_choice.resolve(self.style_names, weights=spec,
                                    style=style, normalize=normalize).weights

    def _paint(self, stylizer, photo, deadline, **options):
        with self._locks[id(stylizer)]:
            if deadline is not None:
                deadline.check()
            return stylizer.stylize(
                photo, on_tile=None if deadline is None else deadline.check,
                **options)

    def paint(self, photo, options, deadline=None, mask=None):
        """Paints a uint8 RGB HWC photo; returns an RGB PIL image.

        Large photos are painted in tiles (`tiling`); `deadline.check`
        runs after each, so a painting past its time stops there. With
        `options.mask_mixes`, `mask` (uint8 HW, or float32 in [0, 1], any
        size: it is resized to the photo) says where each mix paints, tile
        by tile (`style_masks.StyleMasks`); that needs the Keras or
        SavedModel network, loaded on first use.

        Raises:
            ValueError: On bad options.
            DeadlineExceeded: From `deadline`.
        """
        weights = options.weights
        if options.mask_mixes is not None:
            weights = style_masks.StyleMasks(
                [style_masks.fit_mask(mask, *photo.shape[:2])],
                options.mask_mixes)
        return self._paint(
            self.preview if options.preview else self.full, photo, deadline,
            weights=weights, strength=options.strength,
            preserve_color=options.preserve_color,
            stroke_scale=options.stroke_scale, max_size=options.max_size)

    def paint_batch(self, images, weights, deadline=None):
        """The SavedModel signature's job: uint8 `(batch, H, W, 3)` and
        float32 `(batch, num_styles)` weights (as given) -> uint8 images
        of the same shape, painted with the full model."""
        return np.stack([
            np.asarray(self._paint(self.full, image, deadline,
                                   weights=image_weights))
            for image, image_weights in zip(images, weights)])
