"""Stylizes photos with a trained multistyle model folder.

A model folder holds `styles.json` (the style names, see `style_set`) and
either `model.keras` (written by training) or a TensorFlow SavedModel
(`saved_model.pb`, written by `multistyle.export`). `load_network` hides
the difference: both become a function from float images to float images.
"""

import os

import numpy as np
from PIL import Image

from multistyle import image_io
from multistyle.inference import shape_buckets
from multistyle.inference import style_masks
from multistyle import style_set
from multistyle.inference import style_weights
from multistyle.inference import tiling

# As written by `training.save_model` (not imported: it pulls in the trainer
# and VGG code) and by `export.export_saved_model`.
MODEL_FILENAME = "model.keras"
SAVED_MODEL_FILENAME = "saved_model.pb"
# The SavedModel signature for per-pixel weights (`export`'s
# MASKS_SIGNATURE_KEY).
MASKS_SIGNATURE_KEY = "serving_masks"
# Smaller images are reflect-padded to this side, stylized and cropped
# back: the network's first 9x9 reflect padding needs a side of at least 5,
# and its two stride-2 convolutions leave too little below 16 pixels.
MIN_SIDE = 16
PRECISIONS = ("float32", "bfloat16")


class _KerasNetwork:
    """A `model.keras` transformer as `(images, style_weights) -> images`.

    On JAX, which compiles per input shape, batches are padded to their
    shape bucket (`shape_buckets`) and run by a `padded_inputs` twin of
    the network: new sizes seldom compile (once per bucket), and results
    are unchanged up to float rounding.
    """

    def __init__(self, path, precision="float32"):
        import keras

        # Registers the custom layers `model.keras` refers to.
        from multistyle import style_editing
        from multistyle.network import transformer_net

        self._model = keras.saving.load_model(path, compile=False)
        tables = style_editing.style_tables(self._model)
        if precision == "bfloat16":
            self._model = style_editing.with_style_tables(
                self._model, tables, dtype="bfloat16")
        self._padded_model = None
        if keras.backend.backend() == "jax":
            self._padded_model = style_editing.with_style_tables(
                self._model, tables, dtype=precision, padded_inputs=True)
        self.num_styles = transformer_net.num_styles_of(self._model)
        self._per_pixel_model = None  # Built on first use.

    def __call__(self, images, weights):
        # A compiled function (tf.function / jax.jit) frees each activation
        # after its last use; an eager functional call keeps them all (4.6x
        # the memory for a 1024x1024 tile at alpha=1: 4.0 GiB vs 0.87 GiB).
        if np.ndim(weights) == 4:  # Per-pixel weights (style masks).
            if self._per_pixel_model is None:
                from multistyle.network import transformer_net

                self._per_pixel_model = transformer_net.spatial_twin(
                    self._model)
            outputs = self._per_pixel_model.predict_on_batch(
                [images, weights])
        elif self._padded_model is not None:
            outputs = self._predict_padded(np.asarray(images), weights)
        else:
            outputs = self._model.predict_on_batch([images, weights])
        return np.asarray(outputs, np.float32)

    def _predict_padded(self, images, weights):
        """Runs the padded twin on `images` padded to their shape bucket
        and crops its output back."""
        batch, height, width = images.shape[:3]
        padded = shape_buckets.pad_to_bucket(images)
        weights = np.pad(np.asarray(weights, np.float32),
                         [(0, len(padded) - batch), (0, 0)])
        valid_size = np.tile(np.int32([[height, width]]), (len(padded), 1))
        outputs = self._padded_model.predict_on_batch(
            [padded, weights, valid_size])
        return outputs[:batch, :height, :width]


class _SavedModelNetwork:
    """An exported SavedModel's `serving_default` signature, same API.

    The signature takes `images` (uint8, `[batch, height, width, 3]`) and
    `style_weights` (float32, `[batch, num_styles]`) and returns a dict
    whose `stylized` entry is uint8 like `images`. Per-pixel weights
    (`[batch, height, width, num_styles]`) go to `serving_masks`.
    """

    def __init__(self, directory):
        import tensorflow as tf

        self._tf = tf
        self._loaded = tf.saved_model.load(directory)  # Keeps it alive.
        try:
            self._serve = self._loaded.signatures["serving_default"]
        except KeyError as e:
            raise ValueError(
                f"SavedModel {directory} has no serving_default signature; "
                "export it with multistyle-export.") from e
        spec = self._serve.structured_input_signature[1]["style_weights"]
        self.num_styles = spec.shape[-1]

    def __call__(self, images, weights):
        tf = self._tf
        serve = self._serve
        if np.ndim(weights) == 4:
            serve = self._loaded.signatures.get(MASKS_SIGNATURE_KEY)
            if serve is None:
                raise ValueError(
                    f"This SavedModel has no {MASKS_SIGNATURE_KEY} signature "
                    "for style masks; export the model again with this "
                    "version of multistyle-export.")
        outputs = serve(
            images=tf.constant(image_io.to_uint8(images)),
            style_weights=tf.constant(weights, tf.float32))
        return image_io.to_float(outputs["stylized"].numpy())


def load_network(model_dir, precision="float32"):
    """Loads the network of a model folder as a plain function.

    Args:
        model_dir: A folder with `saved_model.pb` (loaded with TensorFlow)
            or `model.keras` (loaded with Keras, any backend; preferred to
            a SavedModel unless the Keras backend is TensorFlow).
        precision: `"float32"`, or `"bfloat16"` to run the Keras network
            in bfloat16 (about 2x faster on CPUs with AMX or AVX512-BF16
            and on GPUs; outputs within a few uint8 levels of float32).
            bfloat16 needs `model.keras` and prefers it to a SavedModel.

    Returns:
        A callable `network(images, style_weights)` mapping float32 RGB
        images in [0, 1], NHWC, and float32 weights `(batch, num_styles)`
        to float32 RGB images in [0, 1] of the same shape, with a
        `num_styles` attribute. Weights may also be per pixel,
        `(batch, height, width, num_styles)` (see `style_masks`).

    Raises:
        FileNotFoundError: If the folder holds neither file.
        ValueError: On an unknown precision, or bfloat16 without
            `model.keras`.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}. "
                         f"Received: {precision!r}")
    keras_path = os.path.join(model_dir, MODEL_FILENAME)
    if precision == "bfloat16":
        if not os.path.isfile(keras_path):
            raise ValueError(
                f"--precision=bfloat16 needs {MODEL_FILENAME} in "
                f"{model_dir}; a SavedModel runs in its exported precision.")
        return _KerasNetwork(keras_path, precision)
    has_saved_model = os.path.isfile(os.path.join(model_dir,
                                                  SAVED_MODEL_FILENAME))
    import keras

    # Other backends run `model.keras` themselves (TF may be absent).
    if has_saved_model and (keras.backend.backend() == "tensorflow"
                            or not os.path.isfile(keras_path)):
        return _SavedModelNetwork(model_dir)
    if os.path.isfile(keras_path):
        return _KerasNetwork(keras_path)
    raise FileNotFoundError(
        f"No model in {model_dir}: expected {MODEL_FILENAME} or a "
        f"SavedModel ({SAVED_MODEL_FILENAME}) next to "
        f"{style_set.STYLES_FILENAME}.")


def as_rgb_array(image):
    """A path, PIL image or numpy array as a uint8 RGB array, HWC.

    Grayscale, RGBA (composited on white), palette and 16-bit images are
    converted. Arrays may be HW or HWC with 1, 3 or 4 channels.

    Raises:
        ImageReadError: If a path cannot be read as an image.
        ValueError: If an array has an unsupported shape or dtype.
    """
    if isinstance(image, (str, os.PathLike)):
        return image_io.load_image(os.fspath(image))
    if isinstance(image, Image.Image):
        return image_io.to_rgb_array(image)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[-1] == 3 and array.dtype == np.uint8:
        return array
    try:
        return image_io.to_rgb_array(Image.fromarray(array))
    except (TypeError, ValueError) as e:
        raise ValueError(
            "Expected an image as a uint8 HWC array with 1, 3 or 4 "
            f"channels. Received: shape={array.shape}, dtype={array.dtype}"
        ) from e


def check_options(strength=1.0, max_size=None,
                  tile_size=tiling.DEFAULT_TILE_SIZE,
                  tile_overlap=tiling.DEFAULT_OVERLAP):
    """Raises ValueError unless `Stylizer.stylize` accepts these options;
    lets a batch fail once, before its first image."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(
            f"`strength` must be between 0 and 1. Received: "
            f"strength={strength}")
    if max_size is not None and max_size < 1:
        raise ValueError(
            f"`max_size` must be a positive number of pixels. Received: "
            f"max_size={max_size}")
    tiling.check_tile_sizes(tile_size, tile_overlap)


def _fit_long_side(image, max_size):
    """Downsizes a uint8 HWC array so its long side is at most `max_size`."""
    if max(image.shape[:2]) <= max_size:
        return image
    return image_io.resize_long_side(image, max_size)


class Stylizer:
    """Paints photos in a model's styles and blends of them.

    Args:
        model_dir: Model folder: `styles.json` plus `model.keras` or an
            exported SavedModel.
        precision: `"float32"` or `"bfloat16"` (see `load_network`).

    Raises:
        FileNotFoundError: If the folder or its files are missing.
        ValueError: If `styles.json` is unreadable or its style count does
            not match the network.

    Example:

    >>> stylizer = Stylizer("saved_models/multistyle16")
    >>> weights = stylizer.weights("starry_night=0.7,great_wave=0.3")
    >>> stylizer.stylize("photo.jpg", weights).save("out.jpg")
    """

    def __init__(self, model_dir, precision="float32"):
        if not os.path.isdir(model_dir):
            raise FileNotFoundError(f"Model folder {model_dir} does not "
                                    "exist.")
        styles_path = os.path.join(model_dir, style_set.STYLES_FILENAME)
        if not os.path.isfile(styles_path):
            raise FileNotFoundError(
                f"No {style_set.STYLES_FILENAME} in {model_dir}; is it a "
                "multistyle model folder?")
        self.model_dir = model_dir
        self.styles, self.config = style_set.load(styles_path)
        self._network = load_network(model_dir, precision)
        if self._network.num_styles != len(self.styles):
            raise ValueError(
                f"{styles_path} lists {len(self.styles)} styles but the "
                f"network in {model_dir} paints {self._network.num_styles}.")

    @property
    def style_names(self):
        """The style names, in the order of the weight vector."""
        return [s.name for s in self.styles]

    @property
    def network(self):
        """The network as a function, see `load_network`."""
        return self._network

    @property
    def num_styles(self):
        """How many styles the model paints."""
        return len(self.styles)

    def weights(self, weights=None, style=None, normalize=True):
        """A weight vector from a mix spec or a single style name/index.

        See `style_weights.resolve`; with neither argument the first style.
        """
        return style_weights.resolve(self.style_names, weights=weights,
                                     style=style, normalize=normalize)

    def _tile_function(self, weights, strength, preserve_color):
        """uint8 HWC tile -> float32 HWC stylized, mixed and recoloured."""
        batch_weights = weights[None, :]

        def stylize_tile(tile):
            tile_weights = batch_weights
            if weights.ndim == 3:  # Per-pixel weights ride as channels.
                tile, tile_weights = tile[..., :3], tile[None, ..., 3:]
            height, width = tile.shape[:2]
            pad_h = max(0, MIN_SIDE - height)
            pad_w = max(0, MIN_SIDE - width)
            padded = tile
            if pad_h or pad_w:
                padding = [(pad_h // 2, pad_h - pad_h // 2),
                           (pad_w // 2, pad_w - pad_w // 2), (0, 0)]
                padded = np.pad(tile, padding, mode="reflect")
                if weights.ndim == 3:
                    tile_weights = np.pad(tile_weights, [(0, 0)] + padding,
                                          mode="reflect")
            out = self._network(image_io.to_float(padded)[None],
                                tile_weights)[0]
            out = out[pad_h // 2:pad_h // 2 + height,
                      pad_w // 2:pad_w // 2 + width]
            if not preserve_color and strength == 1.0:
                return out
            original = image_io.to_float(tile)
            if preserve_color:
                out = image_io.with_luma_of(original, out)
            return original + strength * (out - original)

        return stylize_tile

    def stylize(self, image, weights, strength=1.0, preserve_color=False,
                max_size=None, tile_size=tiling.DEFAULT_TILE_SIZE,
                tile_overlap=tiling.DEFAULT_OVERLAP, on_tile=None):
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
            on_tile: Optional progress callback `on_tile(done, total)`.

        Returns:
            An RGB PIL image of the (possibly downsized) image's size.

        Raises:
            ValueError: On bad weights, strength, sizes or image arrays.
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
        check_options(strength, max_size, tile_size, tile_overlap)
        array = as_rgb_array(image)
        if per_pixel:
            style_masks.check_size(weights, *array.shape[:2])
        if max_size is not None:
            array = _fit_long_side(array, max_size)
        if per_pixel:
            weights = style_masks.resize(weights, *array.shape[:2])
            # `map_tiles` only slices its input: the weights travel with
            # the pixels as extra channels.
            array = np.concatenate([array.astype(np.float32), weights], -1)
        fn = self._tile_function(weights, float(strength), preserve_color)
        out = tiling.map_tiles(array, fn, tile_size=tile_size,
                               overlap=tile_overlap, on_tile=on_tile)
        return Image.fromarray(out)
