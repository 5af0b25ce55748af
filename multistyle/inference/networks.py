"""A model folder's network as a plain function: ONNX, TFLite, Keras or
SavedModel.

A model folder holds `model.keras` (written by training) or an exported
TensorFlow SavedModel, or both, and the SavedModel may come with ONNX and
TFLite models (see `folder_io`). `load_network` hides the difference: each
becomes a function that takes uint8 images (the photo's own pixels; float
ones in [0, 1] too) of any size (`network.min_side`) and converts them
once, where the runtime wants it: the SavedModel, ONNX and TFLite graphs
take uint8 themselves, `model.keras` gets float32 in [0, 1].
`network.paint` returns what the runtime makes (uint8 but from Keras,
float32 in [0, 1]), `network(...)` float32 in [0, 1].

Which one runs (`RUNTIMES`): by default (`"auto"`), for photos painted one
at a time in float32, the fastest file the folder has whose runtime is
installed: `model_int8.onnx` (onnxruntime), the TFLite model (LiteRT),
then `model.onnx`; they import in a fraction of a second where TensorFlow or
Keras take seconds (BENCHMARKS.md, start-up). Else `model.keras` on the
Keras backend, or the SavedModel with TensorFlow. Keras and TensorFlow
are imported only when chosen.
"""

import numpy as np

from multistyle.inference import onnxruntime_network
from multistyle.inference import shape_buckets
from multistyle.inference import style_weights
from multistyle.inference import tflite_network
from multistyle.io import image_io
from multistyle.model_folder import folder_io

PRECISIONS = ("float32", "bfloat16")
RUNTIMES = ("auto", "onnx_int8", "onnx", "tflite", "keras", "saved_model")
# What "auto" runs for photos painted one at a time, fastest first, where
# the folder has the file and the runtime is installed: the int8 ONNX
# model is within the tolerance stated in BENCHMARKS.md ("Lean and int8
# exports") and at least as fast there as the others (the lean TFLite
# model comes close; float ONNX is slower than both).
_SINGLE_PHOTO_RUNTIMES = (
    ("onnx_int8", lambda d: onnxruntime_network.is_available(d, int8=True)),
    ("tflite", tflite_network.is_available),
    ("onnx", onnxruntime_network.is_available))


class _KerasNetwork:
    """A `model.keras` transformer as `(images, style_weights) -> images`.

    On JAX, which compiles per input shape, batches are padded to their
    shape bucket (`shape_buckets`) and run by a `padded_inputs` twin of
    the network: new sizes seldom compile (once per bucket), and results
    are unchanged up to float rounding. Per-pixel weights of some styles
    (`styles`) run a twin of the network with only those styles' tables
    (`style_tables`): the same painting up to float rounding, and no
    per-pixel work for the styles that paint nowhere.
    """

    runtime = "keras"
    per_pixel = True

    def __init__(self, model_dir, precision="float32"):
        import keras

        from multistyle.network import style_tables
        from multistyle.network import transformer_net

        self._model = folder_io.read_network(model_dir)
        self._precision = precision
        self._tables = style_tables.style_tables(self._model)
        if precision == "bfloat16":
            self._model = style_tables.with_style_tables(
                self._model, self._tables, dtype="bfloat16")
        self._padded_model = None
        if keras.backend.backend() == "jax":
            self._padded_model = style_tables.with_style_tables(
                self._model, self._tables, dtype=precision,
                padded_inputs=True)
        self.num_styles = transformer_net.num_styles_of(self._model)
        self._per_pixel_models = {}  # Style indices -> twin, on first use.

    def __call__(self, images, weights, styles=None):
        return self.paint(images, weights, styles)

    def paint(self, images, weights, styles=None):
        from multistyle.network import min_side

        images = image_io.as_float(images)
        if np.ndim(weights) == 4:  # Per-pixel weights (style masks).
            model = self._per_pixel_model(styles)
            return min_side.call_padded(
                lambda x, w: _predict(model, [x, w]), images, weights)
        weights = style_weights.spread(weights, styles, self.num_styles)
        return min_side.call_padded(self._predict, images, weights)

    def _per_pixel_model(self, styles):
        """The network with per-pixel weights of `styles` (None: all)."""
        from multistyle.network import style_tables
        from multistyle.network import transformer_net

        styles = (tuple(range(self.num_styles)) if styles is None
                  else tuple(int(s) for s in styles))
        if styles not in self._per_pixel_models:
            network = self._model
            if styles != tuple(range(self.num_styles)):
                network = style_tables.with_style_tables(
                    self._model, [(gamma[list(styles)], beta[list(styles)])
                                  for gamma, beta in self._tables],
                    dtype=self._precision)
            self._per_pixel_models[styles] = transformer_net.spatial_twin(
                network)
        return self._per_pixel_models[styles]

    def _predict(self, images, weights):
        if self._padded_model is not None:
            return self._predict_padded(np.asarray(images), weights)
        return _predict(self._model, [images, weights])

    def _predict_padded(self, images, weights):
        """Runs the padded twin on `images` padded to their shape bucket
        and crops its output back."""
        batch, height, width = images.shape[:3]
        padded = shape_buckets.pad_to_bucket(images)
        weights = np.pad(np.asarray(weights, np.float32),
                         [(0, len(padded) - batch), (0, 0)])
        valid_size = np.tile(np.int32([[height, width]]), (len(padded), 1))
        outputs = _predict(self._padded_model, [padded, weights, valid_size])
        return outputs[:batch, :height, :width]


def _predict(model, inputs):
    """`model`'s float32 outputs for a batch of numpy inputs."""
    # A compiled function (tf.function / jax.jit) frees each activation
    # after its last use; an eager functional call keeps them all (4.6x
    # the memory for a 1024x1024 tile at alpha=1: 4.0 GiB vs 0.87 GiB).
    return np.asarray(model.predict_on_batch(inputs), np.float32)


class _SavedModelNetwork:
    """An exported SavedModel's signatures, same API.

    `serving_default` takes `images` (uint8, `[batch, height, width, 3]`)
    and `style_weights` (float32, `[batch, num_styles]`) and returns a dict
    whose `stylized` entry is uint8 like `images`; it pads small images
    itself. Per-pixel weights (`[batch, height, width, num_styles]`) go to
    `serving_masks`.
    """

    runtime = "saved_model"
    per_pixel = True

    def __init__(self, model_dir):
        import tensorflow as tf

        self._tf = tf
        self._loaded = folder_io.read_saved_model(model_dir)
        self._serve = self._loaded.signatures[folder_io.SIGNATURE_KEY]
        spec = self._serve.structured_input_signature[1]["style_weights"]
        self.num_styles = spec.shape[-1]

    def __call__(self, images, weights, styles=None):
        return image_io.to_float(self.paint(images, weights, styles))

    def paint(self, images, weights, styles=None):
        tf = self._tf
        serve = self._serve
        weights = style_weights.spread(weights, styles, self.num_styles)
        if np.ndim(weights) == 4:
            serve = self._loaded.signatures.get(
                folder_io.MASKS_SIGNATURE_KEY)
            if serve is None:
                raise ValueError(
                    "This SavedModel has no "
                    f"{folder_io.MASKS_SIGNATURE_KEY} signature for style "
                    "masks; export the model again with this version of "
                    "multistyle.export.")
        outputs = serve(
            images=tf.constant(image_io.as_uint8(images)),
            style_weights=tf.constant(weights, tf.float32))
        return outputs[folder_io.OUTPUT_KEY].numpy()


def choose_runtime(model_dir, precision="float32", runtime="auto",
                   batched=False):
    """The runtime `load_network` would use; see the module docstring.

    Args:
        model_dir: A model folder.
        precision: `"float32"` or `"bfloat16"` (Keras only).
        runtime: One of `RUNTIMES`; `"auto"` picks, others are checked.
        batched: Whether batches will be painted (video frames): `"auto"`
            then runs Keras or the SavedModel (the ONNX models' batch
            speed is not measured yet; TFLite paints one image at a time).

    Returns:
        One of `RUNTIMES` other than `"auto"`.

    Raises:
        ValueError: On an unknown runtime or precision, or a precision the
            runtime cannot run.
        FileNotFoundError: If the folder lacks the runtime's model file.
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"`runtime` must be one of {RUNTIMES}. "
                         f"Received: runtime={runtime!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"`precision` must be one of {PRECISIONS}. "
                         f"Received: precision={precision!r}")
    has_keras = folder_io.has_keras_model(model_dir)
    if precision == "bfloat16":
        if runtime not in ("auto", "keras"):
            raise ValueError(
                f"`precision={precision!r}` runs model.keras only. "
                f"Received: runtime={runtime!r}")
        if not has_keras:
            raise FileNotFoundError(
                f"`precision={precision!r}` needs "
                f"{folder_io.MODEL_FILENAME} in {model_dir}; a "
                "SavedModel runs in its exported precision.")
        return "keras"
    if runtime.startswith("onnx"):
        int8 = runtime == "onnx_int8"
        if not onnxruntime_network.is_available(model_dir, int8):
            raise FileNotFoundError(
                f"`runtime={runtime!r}` needs "
                f"{onnxruntime_network.filename(int8)} in {model_dir} "
                "(multistyle-export --onnx"
                f"{' --quantize=int8' if int8 else ''}) and the onnxruntime "
                "package.")
        return runtime
    if runtime == "tflite":
        if not tflite_network.is_available(model_dir):
            raise FileNotFoundError(
                f"`runtime='tflite'` needs {folder_io.TFLITE_FILENAME} in "
                f"{model_dir} (multistyle-export --tflite, without "
                "--tflite_size) and the ai-edge-litert package.")
        return runtime
    if runtime == "keras" and not has_keras:
        raise FileNotFoundError(
            f"`runtime='keras'` needs {folder_io.MODEL_FILENAME} in "
            f"{model_dir}.")
    if runtime == "saved_model" and not folder_io.has_saved_model(
            model_dir):
        raise FileNotFoundError(
            f"`runtime='saved_model'` needs a SavedModel "
            f"({folder_io.SAVED_MODEL_FILENAME}) in {model_dir}.")
    if runtime != "auto":
        return runtime
    if not batched:
        for name, available in _SINGLE_PHOTO_RUNTIMES:
            if available(model_dir):
                return name
    has_saved_model = folder_io.has_saved_model(model_dir)
    if has_saved_model and not has_keras:
        return "saved_model"
    if has_keras and has_saved_model:
        import keras

        # Other backends run `model.keras` themselves (TF may be absent).
        return ("saved_model" if keras.backend.backend() == "tensorflow"
                else "keras")
    if has_keras:
        return "keras"
    raise FileNotFoundError(
        f"No model in {model_dir}: expected {folder_io.MODEL_FILENAME} "
        f"or a SavedModel ({folder_io.SAVED_MODEL_FILENAME}) next to "
        f"{folder_io.STYLES_FILENAME}.")


def load_network(model_dir, precision="float32", runtime="auto",
                 batched=False):
    """Loads the network of a model folder as a plain function.

    Args:
        model_dir: A folder with `model_int8.onnx` or `model.onnx` (run
            by onnxruntime), `model_float16.tflite` (run by LiteRT),
            `saved_model.pb` (loaded with TensorFlow) or `model.keras`
            (loaded with Keras, any backend).
        precision: `"float32"`, or `"bfloat16"` to run the Keras network
            in bfloat16 (about 2x faster on CPUs with AMX or AVX512-BF16
            and on GPUs; outputs within a few uint8 levels of float32).
            bfloat16 needs `model.keras`.
        runtime: One of `RUNTIMES` (see `choose_runtime`): `"auto"`
            prefers the int8 ONNX model, TFLite, float ONNX, then
            `model.keras` unless the Keras backend is TensorFlow and there
            is a SavedModel.
        batched: Whether batches will be painted: `"auto"` then skips
            ONNX and TFLite.

    Returns:
        A callable `network(images, style_weights, styles=None)` mapping
        uint8 RGB images, NHWC, of any size (or float32 RGB in [0, 1]),
        and float32 weights `(batch, num_styles)` to float32 RGB images
        in [0, 1] of the same shape; `network.paint(...)` takes the same
        and returns the runtime's own output (uint8 but from Keras:
        float32 in [0, 1]). Attributes:
        `num_styles`, `runtime` and `per_pixel`: if true, weights may also
        be per pixel, `(batch, height, width, num_styles)` (see
        `style_masks`; not the TFLite model, and ONNX only with
        `model_masks.onnx`), and `styles` may name the
        styles (indices) the weights' channels stand for, all others
        weighing 0 (the Keras network then paints with only those).

    Raises:
        FileNotFoundError: If the folder lacks the model to run.
        ValueError: On an unknown precision or runtime.
    """
    chosen = choose_runtime(model_dir, precision, runtime, batched)
    if chosen.startswith("onnx"):
        return onnxruntime_network.OnnxNetwork(model_dir,
                                               int8=chosen == "onnx_int8")
    if chosen == "tflite":
        return tflite_network.TFLiteNetwork(model_dir)
    if chosen == "saved_model":
        return _SavedModelNetwork(model_dir)
    return _KerasNetwork(model_dir, precision)
