"""Paints photos with a trained model folder: `Stylizer`.

A `Stylizer` reads a model folder (`folder_io`) and paints images of
any size in one of its styles or a blend, optionally with per-pixel
weights from style masks (`style_masks`); large images go through in
overlapping tiles (`tiling`).
"""

import numpy as np
from PIL import Image

from multistyle import errors
from multistyle.inference import networks
from multistyle.inference import stroke_scale as stroke_scale_lib
from multistyle.inference import style_choice
from multistyle.inference import style_masks
from multistyle.inference import style_weights
from multistyle.inference import tiling
from multistyle.io import image_io
from multistyle.model_folder import folder_io
from multistyle.model_folder import presets


def check_options(strength=1.0, max_size=None,
                  tile_size=tiling.DEFAULT_TILE_SIZE,
                  tile_overlap=tiling.DEFAULT_OVERLAP, stroke_scale=1.0):
    """Raises ValueError unless `Stylizer.stylize` accepts these options;
    lets a batch fail once, before its first image."""
    stroke_scale_lib.check_stroke_scale(stroke_scale)
    if not 0.0 <= strength <= 1.0:
        raise errors.ArgumentError(
            "{strength} must be between 0 and 1. Received: "
            f"{{strength:value}}={strength}", ("strength",))
    if max_size is not None and max_size < 1:
        raise errors.ArgumentError(
            "{max_size} must be a positive number of pixels. Received: "
            f"{{max_size:value}}={max_size}", ("max_size",))
    tiling.check_tile_sizes(tile_size, tile_overlap)


def _fit_long_side(image, max_size):
    """Downsizes a uint8 HWC array so its long side is at most `max_size`."""
    if max(image.shape[:2]) <= max_size:
        return image
    return image_io.resize_long_side(image, max_size)


def _mix(original, out, strength, preserve_color):
    """The painting `out` recoloured and mixed with the photo `original`
    (float32 RGB in [0, 1], HWC)."""
    if preserve_color:
        out = image_io.with_luma_of(original, out)
    if strength == 1.0:
        return out
    return original + strength * (out - original)


class Stylizer:
    """Paints photos in a model's styles and blends of them.

    Args:
        model_dir: Model folder: `styles.json` plus `model.keras` or an
            exported SavedModel.
        precision: `"float32"` or `"bfloat16"` (see
            `networks.load_network`).
        runtime: One of `networks.RUNTIMES`; `"auto"` prefers the TFLite
            model, fastest to start (style masks then load the Keras or
            SavedModel network too, on first use).
        batched: Whether `network` will paint batches (video): `"auto"`
            then skips TFLite.

    Raises:
        FileNotFoundError: If the folder or its files are missing.
        ValueError: If `styles.json` is unreadable or its style count does
            not match the network.

    Example:

    >>> stylizer = Stylizer.from_preset("multistyle16")  # Or any folder:
    >>> stylizer = Stylizer("saved_models/multistyle16")
    >>> weights = stylizer.weights("starry_night=0.7,great_wave=0.3")
    >>> stylizer.stylize("photo.jpg", weights).save("out.jpg")
    """

    def __init__(self, model_dir, precision="float32", runtime="auto",
                 batched=False):
        self.model_dir = model_dir
        self.styles, self.config = folder_io.read_styles(model_dir)
        self._precision = precision
        self._network = networks.load_network(model_dir, precision, runtime,
                                              batched)
        self._per_pixel_network = None  # For masks, if TFLite runs.
        folder_io.check_style_count(self._network.num_styles,
                                    self.styles, model_dir)

    @classmethod
    def from_preset(cls, preset, **kwargs):
        """A `Stylizer` for a model that ships with multistyle.

        Args:
            preset: A preset name (`presets.names()`: `"multistyle16"`,
                `"multistyle16_lite"`), or a model folder, as keras-hub's
                `from_preset` takes both.
            **kwargs: `precision`, `runtime`, `batched`, as for
                `Stylizer`.

        Raises:
            FileNotFoundError: If `preset` is neither a preset name nor a
                folder (the message lists the presets).
        """
        return cls(presets.resolve_model_dir(preset, argument="preset"),
                   **kwargs)

    @property
    def runtime(self):
        """What runs the network: `"tflite"`, `"keras"` or
        `"saved_model"` (see `networks.choose_runtime`)."""
        return self._network.runtime

    @property
    def style_names(self):
        """The style names, in the order of the weight vector."""
        return [s.name for s in self.styles]

    @property
    def network(self):
        """The network as a function, see `networks.load_network`."""
        return self._network

    @property
    def num_styles(self):
        """How many styles the model paints."""
        return len(self.styles)

    def weights(self, weights=None, style=None, normalize=True):
        """A weight vector from a mix spec or a single style name/index.

        See `style_choice.resolve`; with neither argument the first style.
        """
        return style_choice.resolve(self.style_names, weights=weights,
                                    style=style, normalize=normalize).weights

    def _network_for(self, per_pixel):
        """The network, or for per-pixel weights one that takes them (the
        TFLite model does not: the Keras or SavedModel one, loaded once)."""
        if not per_pixel or self._network.per_pixel:
            return self._network
        if self._per_pixel_network is None:
            self._per_pixel_network = networks.load_network(
                self.model_dir, self._precision, batched=True)
        return self._per_pixel_network

    def _tile_function(self, weights, strength, preserve_color):
        """uint8 HWC tile -> float32 HWC stylized, mixed and recoloured."""
        batch_weights = weights[None, :]
        network = self._network_for(weights.ndim == 3)

        def stylize_tile(tile):
            tile_weights = batch_weights
            if weights.ndim == 3:  # Per-pixel weights ride as channels.
                tile, tile_weights = tile[..., :3], tile[None, ..., 3:]
            original = image_io.to_float(tile)
            out = network(original[None], tile_weights)[0]
            return _mix(original, out, strength, preserve_color)

        return stylize_tile

    def stylize(self, image, weights, strength=1.0, preserve_color=False,
                max_size=None, tile_size=tiling.DEFAULT_TILE_SIZE,
                tile_overlap=tiling.DEFAULT_OVERLAP, stroke_scale=1.0,
                on_tile=None):
        """Stylizes one image with a mix of styles.

        Args:
            image: A path, a PIL image (any mode) or a uint8 array (HW or
                HWC, 1, 3 or 4 channels).
            weights: One weight per style, used as given (see `weights()`
                to parse and normalize a mix); or per-pixel weights
                `(height, width, num_styles)` of the image's size, e.g.
                from style masks (`style_masks.load_weight_map`).
            strength: In [0, 1]: 1 is the full style, 0 the original photo,
                in between a pixel-wise mix of the two.
            preserve_color: Keep the photo's colours: only the stylized
                luminance (Y of YCbCr) replaces the photo's.
            max_size: If set, first downsize the image (Lanczos) so its
                long side is at most this many pixels.
            tile_size: Stylize images larger than this in overlapping
                tiles of this side (see `tiling`); 0 or None never tiles.
            tile_overlap: Overlap of neighbouring tiles, pixels.
            stroke_scale: Stroke size, 1 the network's own: S > 1 paints
                the image at 1/S of its size (tiles included), enlarges
                the painting and adds back the photo's fine luminance
                detail, for strokes S times as big (`stroke_scale`).
            on_tile: Optional progress callback `on_tile(done, total)`.

        Returns:
            An RGB PIL image of the (possibly downsized) image's size.

        Raises:
            ValueError: On bad weights, strength, sizes or image arrays.
            FileNotFoundError: If a path does not exist.
            ImageReadError: If a path cannot be read as an image.
        """
        per_pixel = np.ndim(weights) == 3
        if per_pixel:
            weights = np.asarray(weights, np.float32)
            if weights.shape[-1] != self.num_styles:
                raise ValueError(
                    f"Per-pixel weights need {self.num_styles} values per "
                    f"pixel (one per style). Received: shape={weights.shape}")
        else:
            if isinstance(weights, np.ndarray):
                weights = weights.ravel()
            weights = style_weights.parse(weights, self.style_names,
                                          normalize=False)
        check_options(strength, max_size, tile_size, tile_overlap,
                      stroke_scale)
        photo = image_io.as_rgb_array(image)
        if per_pixel:
            style_masks.check_size(weights, *photo.shape[:2])
        if max_size is not None:
            photo = _fit_long_side(photo, max_size)
        rescaled = float(stroke_scale) != 1.0
        array = (stroke_scale_lib.shrink(photo, stroke_scale) if rescaled
                 else photo)
        if per_pixel:
            weights = style_masks.resize(weights, *array.shape[:2])
            # `map_tiles` only slices its input: the weights travel with
            # the pixels as extra channels.
            array = np.concatenate([array.astype(np.float32), weights], -1)
        if not rescaled:
            fn = self._tile_function(weights, float(strength), preserve_color)
            return Image.fromarray(tiling.map_tiles(
                array, fn, tile_size=tile_size, overlap=tile_overlap,
                on_tile=on_tile))
        # Paint at the working size; recolour and mix at the photo's.
        painted = tiling.map_tiles(
            array, self._tile_function(weights, 1.0, False),
            tile_size=tile_size, overlap=tile_overlap, on_tile=on_tile)
        out = _mix(image_io.to_float(photo),
                   stroke_scale_lib.restore(photo, painted), float(strength),
                   preserve_color)
        return Image.fromarray(image_io.to_uint8(out))
