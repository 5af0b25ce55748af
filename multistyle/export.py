"""Exports a trained model as a TensorFlow SavedModel (and TFLite).

The SavedModel needs only TensorFlow to run: no `multistyle`, no Keras.
Its `serving_default` signature takes `images` (uint8 RGB, NHWC, any
height and width) and `style_weights` (float32, `(batch, num_styles)`) and
returns `{"stylized": uint8 images of the input's size}`. The uint8/float
conversions, the padding of small images and the blending of styles (by the
`ConditionalInstanceNorm` layers, Dumoulin et al. 2017) all happen inside
the graph. The style names travel with it twice: `styles.json` at the top
level (as written by training) and `assets/styles.txt`, one name per line,
in the order of the `style_weights` columns.

A second signature, `serving_masks`, takes per-pixel weights instead:
`style_weights` float32 `(batch, height, width, num_styles)`, normally of
the images' height and width (e.g. from style masks, see `style_masks`),
and paints each region in its mix in one pass (the network's
`transformer_net.spatial_twin`, which shares its variables).

Export runs on the TensorFlow backend only; a JAX-backend export would
carry XLA ops that TFLite and TF.js cannot take.
"""

import os
import shutil
import tempfile

import keras

from multistyle import style_set
from multistyle.training import train as training
from multistyle.network import transformer_net

STYLE_NAMES_ASSET = "styles.txt"
TFLITE_FILENAME = "model_float16.tflite"
SIGNATURE_KEY = "serving_default"
MASKS_SIGNATURE_KEY = "serving_masks"
OUTPUT_KEY = "stylized"
# Smaller images are mirror-padded up to this side inside the graph (and
# the output cropped back): the network's 9x9 reflect padding and two
# stride-2 convolutions need a few pixels, instance norm needs more.
MIN_IMAGE_SIZE = 16


def export_saved_model(model_dir_or_keras_path, output_dir, tflite=False,
                       tflite_size=None, overwrite=False):
    """Writes a TF SavedModel (and optionally a float16 TFLite model).

    The output folder is built next to `output_dir` under a temporary name
    and renamed into place when complete, so it is never half-written.

    Args:
        model_dir_or_keras_path: A trained model folder (`model.keras` and
            `styles.json`), or a `.keras` file with `styles.json` beside it.
        output_dir: The SavedModel folder to write.
        tflite: Also write `model_float16.tflite` (float16 weights).
        tflite_size: `(height, width)` to fix the TFLite model's input
            size (batch 1), e.g. for delegates that need static shapes;
            None takes any height and width.
        overwrite: Replace `output_dir` if it exists.

    Returns:
        A dict of what was written: `saved_model` (the folder), `styles`
        (the `styles.json` copy), `style_names` (`assets/styles.txt`) and,
        with `tflite`, `tflite` (the `.tflite` file).

    Raises:
        ValueError: If the Keras backend is not TensorFlow, `output_dir`
            exists and `overwrite` is False, the model is not a multistyle
            network, its style list does not match it, or `tflite_size`
            is not two positive integers.
        FileNotFoundError: If the model or its `styles.json` is missing.

    Example:

    >>> export_saved_model("runs/coco32", "saved_models/coco32", tflite=True)
    >>> # Then, with TensorFlow alone:
    >>> m = tf.saved_model.load("saved_models/coco32")
    >>> out = m.signatures["serving_default"](
    ...     images=tf.zeros((1, 300, 200, 3), tf.uint8),
    ...     style_weights=tf.one_hot([3], 32))["stylized"]
    """
    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            "Export needs the TensorFlow backend; rerun with "
            "KERAS_BACKEND=tensorflow. Received: keras backend "
            f"'{keras.backend.backend()}'.")
    if tflite and tflite_size is not None:
        tflite_size = _checked_size(tflite_size)
    model_path, styles_path = _model_files(model_dir_or_keras_path)
    output_dir = os.path.abspath(output_dir)
    if os.path.lexists(output_dir) and not overwrite:
        raise ValueError(
            f"Output {output_dir} already exists; choose another path or "
            "pass overwrite=True (--overwrite) to replace it.")
    styles, _ = style_set.load(styles_path)
    model = keras.saving.load_model(model_path, compile=False)
    num_styles = transformer_net.num_styles_of(model)
    if len(styles) != num_styles:
        raise ValueError(
            f"{styles_path} lists {len(styles)} styles but {model_path} "
            f"was built for {num_styles}.")

    parent = os.path.dirname(output_dir)
    os.makedirs(parent, exist_ok=True)
    tmp_dir = tempfile.mkdtemp(
        dir=parent, prefix=f".{os.path.basename(output_dir)}.tmp-")
    try:
        os.chmod(tmp_dir, 0o777 & ~_umask())  # mkdtemp makes it private.
        written = _write_export(model, num_styles, styles, styles_path,
                                tmp_dir, tflite, tflite_size)
        _move_into_place(tmp_dir, output_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    return {key: os.path.normpath(
                os.path.join(output_dir, os.path.relpath(path, tmp_dir)))
            for key, path in written.items()}


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _checked_size(size):
    try:
        height, width = (int(s) for s in size)
    except (TypeError, ValueError) as e:
        raise ValueError(
            "`tflite_size` must be (height, width). "
            f"Received: tflite_size={size}") from e
    if height < 1 or width < 1:
        raise ValueError(
            "`tflite_size` must be positive. "
            f"Received: tflite_size={size}")
    return height, width


def _model_files(model_dir_or_keras_path):
    """Returns the paths of `model.keras` and `styles.json`, checked."""
    path = os.path.abspath(model_dir_or_keras_path)
    if os.path.isdir(path):
        model_path = os.path.join(path, training.MODEL_FILENAME)
    else:
        model_path = path
    if not os.path.isfile(model_path):
        raise FileNotFoundError(
            f"No trained model at {model_dir_or_keras_path}: expected a "
            f"folder with {training.MODEL_FILENAME} and "
            f"{style_set.STYLES_FILENAME}, "
            "or a .keras file.")
    styles_path = os.path.join(os.path.dirname(model_path),
                               style_set.STYLES_FILENAME)
    if not os.path.isfile(styles_path):
        raise FileNotFoundError(
            f"No {style_set.STYLES_FILENAME} beside {model_path}; it names "
            "the model's styles and is written by training.")
    return model_path, styles_path


def _move_into_place(tmp_dir, output_dir):
    """Renames the finished `tmp_dir` to `output_dir`, replacing it."""
    old = None
    if os.path.lexists(output_dir):
        old = tempfile.mkdtemp(
            dir=os.path.dirname(output_dir),
            prefix=f".{os.path.basename(output_dir)}.old-")
        old = os.path.join(old, "previous")
        os.rename(output_dir, old)
    try:
        os.rename(tmp_dir, output_dir)
    except BaseException:
        if old is not None:
            os.rename(old, output_dir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(os.path.dirname(old), ignore_errors=True)


def _write_export(model, num_styles, styles, styles_path, directory, tflite,
                  tflite_size):
    """Writes everything into `directory`; returns {what: path}."""
    import tensorflow as tf  # Only export needs TensorFlow.

    # The endpoint tracks the variables it uses; `archive.track(model)`
    # would store every weight a second time (Keras wrappers as well).
    archive = keras.export.ExportArchive()
    # Per-image weights, and per-pixel ones through the spatial twin,
    # which shares the network's variables.
    endpoints = {
        SIGNATURE_KEY: (model, (None, num_styles)),
        MASKS_SIGNATURE_KEY: (transformer_net.spatial_twin(model),
                              (None, None, None, num_styles)),
    }
    for name, (network, weights_shape) in endpoints.items():
        archive.add_endpoint(
            name=name,
            fn=_serving_function(network),
            input_signature=[
                tf.TensorSpec((None, None, None, 3), tf.uint8, name="images"),
                tf.TensorSpec(weights_shape, tf.float32,
                              name="style_weights"),
            ],
        )
    archive.write_out(directory, verbose=False)
    written = {"saved_model": directory}

    written["styles"] = os.path.join(directory, style_set.STYLES_FILENAME)
    shutil.copyfile(styles_path, written["styles"])
    assets = os.path.join(directory, "assets")
    os.makedirs(assets, exist_ok=True)
    written["style_names"] = os.path.join(assets, STYLE_NAMES_ASSET)
    with open(written["style_names"], "w", encoding="utf-8") as f:
        f.write("".join(f"{s.name}\n" for s in styles))

    if tflite:
        written["tflite"] = os.path.join(directory, TFLITE_FILENAME)
        with open(written["tflite"], "wb") as f:
            f.write(_tflite_float16(directory, num_styles, tflite_size))
    return written


def _serving_function(network):
    """`(images, style_weights) -> {"stylized": ...}` for one network."""

    def serve(images, style_weights):
        return {OUTPUT_KEY: stylize_uint8(network, images, style_weights)}

    return serve


def stylize_uint8(model, images, style_weights):
    """The exported computation: uint8 images in, uint8 images out.

    Args:
        model: The transformer network (float32 RGB in [0, 1], NHWC).
        images: uint8 RGB tensor, NHWC, any height and width (>= 1).
        style_weights: float32 tensor of shape `(batch, num_styles)`, or
            per pixel `(batch, height, width, num_styles)` for a
            `spatial_twin` model.

    Returns:
        uint8 RGB tensor of the shape of `images`.
    """
    import tensorflow as tf

    x = tf.cast(images, tf.float32) / 255.0
    height, width = tf.shape(x)[1], tf.shape(x)[2]
    x, top, left = _pad_to_min_size(x, MIN_IMAGE_SIZE)
    if style_weights.shape.rank == 4:  # Per-pixel weights: pad alike.
        style_weights, _, _ = _pad_to_min_size(style_weights, MIN_IMAGE_SIZE)
    y = model([x, style_weights], training=False)
    y = y[:, top:top + height, left:left + width, :]
    y = tf.clip_by_value(y * 255.0 + 0.5, 0.0, 255.0)
    return tf.cast(y, tf.uint8)


def _pad_to_min_size(images, min_size):
    """Mirror-pads height and width up to `min_size`, centred.

    Symmetric mirroring (edge pixel repeated) indexed modulo twice the
    size, so even a 1x1 image can be padded to any size.

    Returns:
        `(padded, top, left)`: the padded images and where the original
        starts in them.
    """
    import tensorflow as tf

    static = images.shape[1:3]
    if all(s is not None and s >= min_size for s in static):
        return images, 0, 0

    def mirror_indices(size):
        pad = tf.maximum(min_size - size, 0)
        before = pad // 2
        positions = tf.range(-before, size + pad - before) % (2 * size)
        return tf.where(positions < size, positions,
                        2 * size - 1 - positions), before

    shape = tf.shape(images)
    rows, top = mirror_indices(shape[1])
    cols, left = mirror_indices(shape[2])
    padded = tf.gather(tf.gather(images, rows, axis=1), cols, axis=2)
    return padded, top, left


def _tflite_float16(saved_model_dir, num_styles, size):
    """Converts the SavedModel's signature to TFLite, float16 weights.

    The signature is traced at batch 1 and `size` (None: any height and
    width); the TFLite model keeps its name (`serving_default`) and its
    input and output names.
    """
    import tensorflow as tf

    loaded = tf.saved_model.load(saved_model_dir)
    signature = loaded.signatures[SIGNATURE_KEY]
    height, width = size or (None, None)

    @tf.function(input_signature=[
        tf.TensorSpec((1, height, width, 3), tf.uint8, name="images"),
        tf.TensorSpec((1, num_styles), tf.float32, name="style_weights"),
    ])
    def batch_of_one(images, style_weights):
        return signature(images=images, style_weights=style_weights)

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [batch_of_one.get_concrete_function()], loaded)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()
