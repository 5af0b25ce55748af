"""A model folder's ONNX models, run by onnxruntime: the fastest per photo.

`multistyle-export --onnx` writes `model.onnx` (`serving_default`) and
`model_masks.onnx` (`serving_masks`), and `--quantize=int8` adds
`model_int8.onnx`: uint8 images of any size and batch in, uint8 out, as
the SavedModel's signatures. On a 2-core AVX-512 CPU the int8 model paints
a 512x512 photo in 0.4-0.5x (lite) and 1.0-1.1x (full) the peer's time,
float ONNX in 0.6-0.7x and 1.4-1.8x, the lean float16 TFLite model in about
0.4-0.5x and 1.1-1.2x (BENCHMARKS.md, "Lean and int8 exports", measured
under load); onnxruntime imports in about 0.2 s. The int8 model has no per-pixel signature: style masks go to
`model_masks.onnx`.
"""

import importlib.util
import os

import numpy as np

from multistyle.inference import style_weights
from multistyle.io import image_io
from multistyle.model_folder import folder_io


def filename(int8):
    """The ONNX model of per-image weights: `model_int8.onnx` with `int8`,
    else `model.onnx`."""
    return folder_io.ONNX_INT8_FILENAME if int8 else folder_io.ONNX_FILENAME


def is_available(model_dir, int8=False):
    """Whether the folder has the ONNX model (`filename(int8)`) and
    onnxruntime is installed."""
    return (os.path.isfile(os.path.join(model_dir, filename(int8)))
            and importlib.util.find_spec("onnxruntime") is not None)


class OnnxNetwork:
    """The ONNX models of a model folder as `network(images, weights)`.

    Args:
        model_dir: A model folder with `model.onnx` (`model_int8.onnx`
            with `int8`); `model_masks.onnx` beside it paints style masks.
        int8: Whether per-image weights run `model_int8.onnx`.

    Call arguments:
        images: uint8 RGB, NHWC, any size (float32 RGB in [0, 1] is
            rounded to it).
        style_weights: float32 `(batch, num_styles)`, or per pixel
            `(batch, height, width, num_styles)`.
        styles: Optional style indices that the weights' last axis stands
            for; the other styles weigh 0.

    Returns (of a call):
        float32 RGB in [0, 1] of the images' shape; `paint(...)` returns
        the model's uint8 output.
    """

    def __init__(self, model_dir, int8=False):
        import onnxruntime

        self._onnxruntime = onnxruntime
        self._model_dir = model_dir
        self.runtime = "onnx_int8" if int8 else "onnx"
        self.per_pixel = os.path.isfile(
            os.path.join(model_dir, folder_io.ONNX_MASKS_FILENAME))
        self._sessions = {}
        self._default = self._session(filename(int8))
        self.num_styles = self._default.get_inputs()[1].shape[-1]

    def _session(self, name):
        if name not in self._sessions:
            self._sessions[name] = self._onnxruntime.InferenceSession(
                os.path.join(self._model_dir, name),
                providers=["CPUExecutionProvider"])
        return self._sessions[name]

    def __call__(self, images, weights, styles=None):
        return image_io.to_float(self.paint(images, weights, styles))

    def paint(self, images, weights, styles=None):
        weights = style_weights.spread(weights, styles, self.num_styles)
        session = self._default
        if np.ndim(weights) == 4:
            if not self.per_pixel:
                raise ValueError(
                    f"{self._model_dir} has no "
                    f"{folder_io.ONNX_MASKS_FILENAME} for style masks; "
                    "export it with multistyle-export --onnx.")
            session = self._session(folder_io.ONNX_MASKS_FILENAME)
        return session.run(None, {
            "images": np.ascontiguousarray(image_io.as_uint8(images)),
            "style_weights": np.asarray(weights, np.float32)})[0]
