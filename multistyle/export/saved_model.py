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

The TFLite model (`tflite`) is the `serving_default` signature at batch
1 with float16 weights, converted from the network laid out as lean
TensorFlow ops from its weights (`tf_network`), not from the SavedModel's
graph op by op. With `onnx`, the same two signatures are also written
as ONNX models (`onnx_models`, laid out from the network's weights) for
runtimes without TensorFlow, and with `quantize="int8"` an integer
`model_int8.onnx` calibrated on photos (`onnx_quantization`). (The TFLite
converter's integer path painted too far from the float model: content
and style losses 40-60% higher, BENCHMARKS.md.)

Export runs on the TensorFlow backend only; a JAX-backend export would
carry XLA ops that TFLite and TF.js cannot take.
"""

import os

import keras

from multistyle import errors
from multistyle.export import onnx_models
from multistyle.export import onnx_quantization
from multistyle.model_folder import folder_io
from multistyle.network import min_side
from multistyle.network import transformer_net

# What `quantize` takes (None: float models only).
QUANTIZATIONS = (None, "int8")


def export_saved_model(model_dir_or_keras_path, output_dir, tflite=False,
                       tflite_size=None, onnx=False, overwrite=False,
                       quantize=None, calibration_photos=None):
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
        onnx: Also write `model.onnx` and `model_masks.onnx`
            (`onnx_models`; needs the onnx package).
        overwrite: Replace `output_dir` if it exists.
        quantize: `"int8"` to also write `model_int8.onnx` (with
            `onnx`; `onnx_quantization`), calibrated on
            `calibration_photos`; None writes none.
        calibration_photos: uint8 RGB HWC photos for `quantize`
            (`onnx_quantization.load_calibration_photos`).

    Returns:
        A dict of what was written: `saved_model` (the folder), `styles`
        (its `styles.json`), `style_names` (`assets/styles.txt`) and,
        with `tflite`, `tflite` (the `.tflite` file), with `onnx`, `onnx`
        and `onnx_masks`, with `quantize` also `onnx_int8`.

    Raises:
        ValueError: If the Keras backend is not TensorFlow, the model is
            not a multistyle network, its style list does not match it,
            `tflite_size` is not two positive integers, `onnx` is asked
            for without the onnx package, or `quantize` is not None or
            "int8", comes without photos or without `onnx`.
        FileNotFoundError: If the model or its `styles.json` is missing.
        FileExistsError: If `output_dir` exists and `overwrite` is False.

    Example:

    >>> export_saved_model("runs/coco32", "saved_models/coco32", tflite=True)
    >>> # Then, with TensorFlow alone:
    >>> m = tf.saved_model.load("saved_models/coco32")
    >>> out = m.signatures["serving_default"](
    ...     images=tf.zeros((1, 300, 200, 3), tf.uint8),
    ...     style_weights=tf.one_hot([3], 32))["stylized"]
    """
    _check_backend()
    if tflite and tflite_size is not None:
        tflite_size = _checked_size(tflite_size)
    _check_quantize(quantize, calibration_photos, onnx)
    output_dir = os.path.abspath(output_dir)
    folder_io.keras_model_path(model_dir_or_keras_path)  # Exists?
    folder_io.check_writable(output_dir, overwrite)  # Before loading.
    model, styles, config = folder_io.read(model_dir_or_keras_path)
    folder_io.write_folder(
        output_dir, lambda directory: _write_export(
            model, styles, config, directory, tflite, tflite_size, onnx,
            quantize and calibration_photos),
        overwrite=overwrite)
    written = {
        "saved_model": output_dir,
        "styles": os.path.join(output_dir, folder_io.STYLES_FILENAME),
        "style_names": os.path.join(output_dir,
                                    folder_io.STYLE_NAMES_ASSET),
    }
    if tflite:
        written["tflite"] = os.path.join(output_dir,
                                         folder_io.TFLITE_FILENAME)
    if onnx:
        written["onnx"] = os.path.join(output_dir, folder_io.ONNX_FILENAME)
        written["onnx_masks"] = os.path.join(
            output_dir, folder_io.ONNX_MASKS_FILENAME)
    if onnx and quantize:
        written["onnx_int8"] = os.path.join(output_dir,
                                            folder_io.ONNX_INT8_FILENAME)
    return written


def add_onnx(model_dir, quantize=None, calibration_photos=None):
    """Writes the ONNX models into a model folder that holds `model.keras`
    beside its SavedModel (as the shipped ones do), from `model.keras`;
    the SavedModel and everything else stay as they are.

    Args:
        model_dir: The model folder.
        quantize, calibration_photos: As for `export_saved_model`.

    Returns:
        Dict of signature name to the ONNX file written (and with
        `quantize`, `"int8"` to the int8 model).

    Raises:
        ValueError: As `export_saved_model`.
        FileNotFoundError: If the folder lacks `model.keras` or
            `styles.json`.
    """
    _check_quantize(quantize, calibration_photos, True)
    model, styles, _ = folder_io.read(model_dir)
    written = onnx_models.write(model, model_dir)
    if quantize:
        written[quantize] = onnx_quantization.write_int8(
            written[folder_io.SIGNATURE_KEY],
            os.path.join(model_dir, folder_io.ONNX_INT8_FILENAME),
            calibration_photos, len(styles))
    return written


def _check_quantize(quantize, calibration_photos, onnx):
    if quantize not in QUANTIZATIONS:
        raise errors.ArgumentError(
            f"{{quantize}} must be one of {QUANTIZATIONS}. Received: "
            f"{{quantize:value}}={quantize!r}", ("quantize",))
    if quantize and not onnx:
        raise errors.ArgumentError(
            "{quantize} makes an integer ONNX model: ask for {onnx} as "
            "well.", ("quantize", "onnx"))
    if quantize and not calibration_photos:
        raise errors.ArgumentError(
            "{quantize} needs {calibration_photos} to calibrate on. "
            "Received: none", ("quantize", "calibration_photos"))


def _check_backend():
    if keras.backend.backend() != "tensorflow":
        raise ValueError(
            "Export needs the TensorFlow backend; rerun with "
            "KERAS_BACKEND=tensorflow. Received: keras backend "
            f"'{keras.backend.backend()}'.")


def _checked_size(size):
    try:
        height, width = (int(s) for s in size)
    except (TypeError, ValueError) as e:
        raise errors.ArgumentError(
            "{tflite_size} must be (height, width). "
            f"Received: {{tflite_size:value}}={size}", ("tflite_size",)
        ) from e
    if height < 1 or width < 1:
        raise errors.ArgumentError(
            "{tflite_size} must be positive. "
            f"Received: {{tflite_size:value}}={size}", ("tflite_size",))
    return height, width


def _endpoints(model, num_styles):
    """`{signature name: (function, input_signature)}` of the export:
    per-image weights, and per-pixel ones through the spatial twin, which
    shares the network's variables."""
    import tensorflow as tf  # Only export needs TensorFlow.

    networks = {
        folder_io.SIGNATURE_KEY: (model, (None, num_styles)),
        folder_io.MASKS_SIGNATURE_KEY: (
            transformer_net.spatial_twin(model),
            (None, None, None, num_styles)),
    }
    return {
        name: (_serving_function(network), [
            tf.TensorSpec((None, None, None, 3), tf.uint8, name="images"),
            tf.TensorSpec(weights_shape, tf.float32, name="style_weights"),
        ])
        for name, (network, weights_shape) in networks.items()}


def _write_export(model, styles, config, directory, tflite, tflite_size,
                  onnx, int8_photos):
    """Writes the SavedModel, its style lists, the TFLite and ONNX
    models (and the int8 ONNX model, calibrated on `int8_photos`, if
    any)."""
    num_styles = len(styles)
    endpoints = _endpoints(model, num_styles)
    # The endpoint tracks the variables it uses; `archive.track(model)`
    # would store every weight a second time (Keras wrappers as well).
    archive = keras.export.ExportArchive()
    for name, (function, input_signature) in endpoints.items():
        archive.add_endpoint(name=name, fn=function,
                             input_signature=input_signature)
    archive.write_out(directory, verbose=False)
    folder_io.write_styles(directory, styles, config)
    folder_io.write_style_names(directory, styles)
    if tflite:
        with open(os.path.join(directory, folder_io.TFLITE_FILENAME),
                  "wb") as f:
            f.write(_tflite_float16(model, num_styles, tflite_size))
    if onnx:
        written = onnx_models.write(model, directory)
        if int8_photos:
            onnx_quantization.write_int8(
                written[folder_io.SIGNATURE_KEY],
                os.path.join(directory, folder_io.ONNX_INT8_FILENAME),
                int8_photos, num_styles)


def _serving_function(network):
    """`(images, style_weights) -> {"stylized": ...}` for one network."""

    def serve(images, style_weights):
        return {folder_io.OUTPUT_KEY: stylize_uint8(network, images,
                                                    style_weights)}

    return serve


def stylize_uint8(model, images, style_weights):
    """The exported computation: uint8 images in, uint8 images out.

    The graph twin of `image_io.to_float` and `image_io.to_uint8` (the
    same scaling and rounding) around `min_side.call_padded`, so images
    of any size paint as they do through `inference.networks`.

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
    y = min_side.call_padded(
        lambda x, w: model([x, w], training=False), x, style_weights)
    y = tf.clip_by_value(y * 255.0 + 0.5, 0.0, 255.0)
    return tf.cast(y, tf.uint8)


def _tflite_float16(model, num_styles, size):
    """The TFLite model (bytes, float16 weights) of the serving signature
    at batch 1 and `size` (None: any height and width), converted from
    the network laid out from its weights (`tf_network`) instead of from
    the SavedModel's graph; it keeps the signature's name
    (`serving_default`) and its input and output names."""
    import tensorflow as tf

    from multistyle.export import tf_network

    height, width = size or (None, None)
    serve = tf.function(
        _serving_function(tf_network.LeanNetwork(model)), input_signature=[
            tf.TensorSpec((1, height, width, 3), tf.uint8, name="images"),
            tf.TensorSpec((1, num_styles), tf.float32,
                          name="style_weights"),
        ])
    # With a module to save (not a function), the converter goes through a
    # SavedModel and keeps the signature's key and names.
    module = tf.Module()
    module.serve = serve
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [serve.get_concrete_function()], module)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()
