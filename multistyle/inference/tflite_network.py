"""A model folder's TFLite model, run by LiteRT: the fast-starting network.

`multistyle-export --tflite` writes `model_float16.tflite` (float16
weights, batch 1, any height and width) next to the SavedModel. LiteRT
(`ai_edge_litert`) imports in about 0.12 s where TensorFlow takes about
4 s, so for one photo this is the quickest way from command to painting
(BENCHMARKS.md, start-up); outputs are within one uint8 level of the
SavedModel's. It takes per-image style weights only: the exported TFLite
model has no per-pixel (style mask) signature.
"""

import os
import sys
import tempfile
import threading

import numpy as np

from multistyle.io import image_io
from multistyle.model_folder import folder_io


# LiteRT prints this on stderr (from C++, with no log level to set) when an
# interpreter first allocates its tensors, once per process.
_XNNPACK_BANNER = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
_first_allocation = threading.Lock()
_allocated = []


def _allocate(interpreter):
    """`interpreter.allocate_tensors()`; the first in the process without
    LiteRT's XNNPACK banner (what else it prints on stderr goes through)."""
    with _first_allocation:
        if _allocated:
            return interpreter.allocate_tensors()
        _allocated.append(True)
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (AttributeError, OSError, ValueError):  # No real stderr.
            return interpreter.allocate_tensors()
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                return interpreter.allocate_tensors()
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                captured.seek(0)
                text = captured.read().replace(_XNNPACK_BANNER, b"")
                if text:
                    os.write(2, text)


def is_available(model_dir):
    """Whether the folder has a TFLite model that takes any image size
    (not one exported with `--tflite_size`) and LiteRT is installed."""
    path = os.path.join(model_dir, folder_io.TFLITE_FILENAME)
    if not os.path.isfile(path):
        return False
    try:
        from ai_edge_litert import interpreter as litert
    except ImportError:
        return False
    # Reading the signature maps the file and allocates nothing (~1 ms).
    inputs = litert.Interpreter(model_path=path).get_input_details()
    return any(len(d["shape"]) == 4 and -1 in d["shape_signature"][1:3]
               for d in inputs)


class TFLiteNetwork:
    """`model_float16.tflite` as `network(images, style_weights)`.

    Args:
        model_dir: A model folder with `model_float16.tflite`.
        num_threads: CPU threads; default all (`os.cpu_count()`).

    Call arguments:
        images: uint8 RGB, NHWC, any height and width (the model's own
            input; float32 RGB in [0, 1] is rounded to it).
        style_weights: float32 `(batch, num_styles)`.

    Returns (of a call):
        float32 RGB in [0, 1], NHWC, of the images' shape; `paint(images,
        style_weights)` returns the model's uint8 output itself.

    Raises:
        FileNotFoundError: If the folder has no TFLite model.
        ImportError: If `ai_edge_litert` is not installed.
        ValueError: On per-pixel weights, which the TFLite model lacks.
    """

    runtime = "tflite"
    per_pixel = False

    def __init__(self, model_dir, num_threads=None):
        from ai_edge_litert import interpreter as litert

        path = os.path.join(model_dir, folder_io.TFLITE_FILENAME)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"No TFLite model {path}.")
        self._interpreter = litert.Interpreter(
            model_path=path, num_threads=num_threads or os.cpu_count())
        inputs = self._interpreter.get_input_details()
        self._images = next(d for d in inputs if len(d["shape"]) == 4)
        self._weights = next(d for d in inputs if len(d["shape"]) == 2)
        self._output = self._interpreter.get_output_details()[0]["index"]
        self.num_styles = int(self._weights["shape"][-1])
        self._shape = None

    def _paint_one(self, image, weights):
        image = np.ascontiguousarray(image_io.as_uint8(image)[None])
        if image.shape != self._shape:
            self._interpreter.resize_tensor_input(self._images["index"],
                                                  image.shape)
            _allocate(self._interpreter)
            self._shape = image.shape
        self._interpreter.set_tensor(self._images["index"], image)
        self._interpreter.set_tensor(
            self._weights["index"],
            np.asarray(weights, np.float32).reshape(1, self.num_styles))
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output)[0]

    def __call__(self, images, weights, styles=None):
        return image_io.to_float(self.paint(images, weights, styles))

    def paint(self, images, weights, styles=None):
        if np.ndim(weights) == 4 or styles is not None:
            raise ValueError(
                "The TFLite model takes one weight vector per image, not "
                "per-pixel weights (style masks); use the Keras or "
                "SavedModel network.")
        return np.stack([self._paint_one(image, w)
                         for image, w in zip(images, weights)])
