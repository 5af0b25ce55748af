"""ONNX models of the exported signatures, for runtimes without TensorFlow.

`model.onnx` takes and returns what the SavedModel's `serving_default`
signature does: `images` uint8 `(batch, height, width, 3)` of any size and
`style_weights` float32 `(batch, num_styles)` in, `stylized` uint8 images
of the same shape out; the uint8 conversions and the padding of small
images are in the graph. `model_masks.onnx` is `serving_masks`, whose
`style_weights` are per pixel, `(batch, height, width, num_styles)`.
onnxruntime runs both within one uint8 level of the SavedModel.

They are converted with tf2onnx from the very functions the SavedModel
serves (`saved_model`). Keras' own `model.export(format="onnx")` calls tf2onnx
too, but for the float network alone, without the uint8 ends.

Example:

>>> import onnxruntime
>>> session = onnxruntime.InferenceSession("saved_models/multistyle16/"
...                                        "model.onnx")
>>> stylized, = session.run(None, {"images": photo_uint8[None],
...                                "style_weights": np.eye(16)[[3]]})
"""

import os

from multistyle.io import atomic_files
from multistyle.model_folder import folder_io

# ONNX opset 17 (onnxruntime >= 1.11, 2022) has every op the network uses.
OPSET = 17
FILENAMES = {
    folder_io.SIGNATURE_KEY: folder_io.ONNX_FILENAME,
    folder_io.MASKS_SIGNATURE_KEY: folder_io.ONNX_MASKS_FILENAME,
}


def write(endpoints, directory):
    """Writes one ONNX model per signature into `directory`, atomically.

    Args:
        endpoints: Dict of signature name (a key of `FILENAMES`) to
            `(function, input_signature)`, as the SavedModel serves them.
        directory: An existing folder.

    Returns:
        Dict of signature name to the path written.

    Raises:
        ValueError: If tf2onnx is not installed.
    """
    written = {}
    for name, (function, input_signature) in endpoints.items():
        model = _convert(function, input_signature)
        path = os.path.join(directory, FILENAMES[name])
        atomic_files.atomic_write(
            path, lambda tmp, model=model: _write_bytes(tmp, model),
            suffix=".onnx")
        written[name] = path
    return written


def _convert(function, input_signature):
    """The serialized ONNX model of `function` traced at the signature."""
    try:
        import tf2onnx  # pylint: disable=g-import-not-at-top
    except ImportError as e:
        raise ValueError(
            "ONNX export needs tf2onnx: pip install 'multistyle[onnx]'."
        ) from e
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    traced = tf.function(function, input_signature=input_signature)
    model, _ = tf2onnx.convert.from_function(
        traced, input_signature=input_signature, opset=OPSET)
    return model.SerializeToString()


def _write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
