"""Paints photos with a trained model folder: `Stylizer`.

A `Stylizer` reads a model folder (`folder_io`) and paints images of
any size in one of its styles or a blend, optionally with per-pixel
weights from style masks (`style_masks`); large images go through in
overlapping tiles (`tiling`). The photo stays uint8 up to the network,
which converts it once (`networks`); style masks stay uint8 too, and each
tile's per-pixel weights are made from the masks under that tile alone.
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
            model, fastest to start (style masks then load `model.keras`,
            or the SavedModel if there is none, on first use).
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
        TFLite model does not: `model.keras` if the folder has it, else
        the SavedModel, loaded once). `model.keras` paints masks with the
        tables of their styles alone, about as fast as one style; the
        SavedModel's masks signature takes every style's weights (1.7x
        the time on a 1024-px tile of the lite model)."""
        if not per_pixel or self._network.per_pixel:
            return self._network
        if self._per_pixel_network is None:
            runtime = ("keras" if folder_io.has_keras_model(self.model_dir)
                       else "auto")
            self._per_pixel_network = networks.load_network(
                self.model_dir, self._precision, runtime, batched=True)
        return self._per_pixel_network

    def _tile_function(self, weights, strength, preserve_color,
                       size=None):
        """`fn(tile, window)` for `tiling.map_tiles`: a uint8 HWC tile of
        an image of `size` (for per-pixel weights) -> the stylized tile,
        mixed and recoloured, uint8 or float32 in [0, 1], HWC.

        `weights` is a vector or a per-pixel source (`style_masks`), whose
        weights go in for the styles it paints only (`styles`).
        """
        source = style_masks.per_pixel(weights)
        network = self._network_for(source is not None)

        def stylize_tile(tile, window):
            if source is None:
                out = network.paint(tile[None], weights[None, :])[0]
            else:
                out = network.paint(
                    tile[None],
                    source.weights_for(window, size, source.styles)[None],
                    source.styles)[0]
            if strength == 1.0 and not preserve_color:
                return out
            return _mix(image_io.to_float(tile), image_io.as_float(out),
                        strength, preserve_color)

        return stylize_tile

    def stylize(self, image, weights, strength=1.0, preserve_color=False,
                max_size=None, tile_size=tiling.DEFAULT_TILE_SIZE,
                tile_overlap=tiling.DEFAULT_OVERLAP, stroke_scale=1.0,
                on_tile=None):
        """Stylizes one image with a mix of styles.

        The image stays uint8 until the network takes it; tiles are
        blended in float32 (`tiling`). Per-pixel weights are made tile by
        tile from what covers the tile, so style masks
        (`style_masks.StyleMasks`) cost about a byte a pixel per mask, not
        a float per pixel and style.

        Args:
            image: A path, a PIL image (any mode) or a uint8 array (HW or
                HWC, 1, 3 or 4 channels).
            weights: One weight per style, used as given (see `weights()`
                to parse and normalize a mix); or style masks with each
                region's mix (`style_masks.StyleMasks`, e.g.
                `style_masks.load_masks`) of the image's size; or
                per-pixel weights `(height, width, num_styles)` of the
                image's size (e.g. `style_masks.weight_map`). Per-pixel
                weights need the Keras or SavedModel network (loaded on
                first use if the TFLite model runs).
            strength: In [0, 1]: 1 is the full style, 0 the original photo,
                in between a pixel-wise mix of the two.
            preserve_color: Keep the photo's colours: only the stylized
                luminance (Y of YCbCr) replaces the photo's.
            max_size: If set, first downsize the image (Lanczos) so its
                long side is at most this many pixels (masks follow,
                bilinear).
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
        source = style_masks.per_pixel(weights)
        if source is not None:
            if source.num_styles != self.num_styles:
                raise ValueError(
                    f"Per-pixel weights need {self.num_styles} values per "
                    f"pixel (one per style). Received: shape="
                    f"{tuple(source.shape) + (source.num_styles,)}")
            weights = source
        else:
            if isinstance(weights, np.ndarray):
                weights = weights.ravel()
            weights = style_weights.parse(weights, self.style_names,
                                          normalize=False)
        check_options(strength, max_size, tile_size, tile_overlap,
                      stroke_scale)
        photo = image_io.as_rgb_array(image)
        if source is not None:
            style_masks.check_size(source, *photo.shape[:2])
        if max_size is not None:
            photo = _fit_long_side(photo, max_size)
        rescaled = float(stroke_scale) != 1.0
        array = (stroke_scale_lib.shrink(photo, stroke_scale) if rescaled
                 else photo)
        tiles = dict(tile_size=tile_size, overlap=tile_overlap,
                     on_tile=on_tile, with_window=True)
        if not rescaled:
            fn = self._tile_function(weights, float(strength),
                                     preserve_color, array.shape[:2])
            return Image.fromarray(tiling.map_tiles(array, fn, **tiles))
        # Paint at the working size; recolour and mix at the photo's.
        painted = tiling.map_tiles(
            array, self._tile_function(weights, 1.0, False, array.shape[:2]),
            **tiles)
        out = _mix(image_io.to_float(photo),
                   stroke_scale_lib.restore(photo, painted), float(strength),
                   preserve_color)
        return Image.fromarray(image_io.to_uint8(out))
