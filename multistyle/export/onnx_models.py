"""ONNX models of the exported signatures, for runtimes without TensorFlow.

`model.onnx` takes and returns what the SavedModel's `serving_default`
signature does: `images` uint8 `(batch, height, width, 3)` of any size and
`style_weights` float32 `(batch, num_styles)` in, `stylized` uint8 images
of the same shape out. `model_masks.onnx` is `serving_masks`, whose
`style_weights` are per pixel, `(batch, height, width, num_styles)`.
onnxruntime runs both within one uint8 level of the SavedModel.

The graphs are built from the network's weights (`onnx_network`), NCHW
inside, with one `Transpose` at each end: the uint8 images are
transposed, cast and scaled; images with a side below `min_side.MIN_SIDE`
are mirror-padded by one `Gather` per axis (the indices of
`min_side.pad_to_min_side`, from a few scalar ops); the network runs;
one `Slice` crops both that padding and the decoder's rounding up to a
multiple of 4; the result is scaled, rounded, clipped, cast to uint8 and
transposed back. No per-layer shape arithmetic, no layout changes
between layers: onnxruntime's optimized graph holds the convolutions,
norms and activations and little else (BENCHMARKS.md, lean exports).

Example:

>>> import onnxruntime
>>> session = onnxruntime.InferenceSession("saved_models/multistyle16/"
...                                        "model.onnx")
>>> stylized, = session.run(None, {"images": photo_uint8[None],
...                                "style_weights": np.eye(16)[[3]]})
"""

import os

import numpy as np

from multistyle.export import onnx_graph
from multistyle.export import onnx_network
from multistyle.io import atomic_files
from multistyle.model_folder import folder_io
from multistyle.network import min_side
from multistyle.network import transformer_net

# ONNX opset 17 (onnxruntime >= 1.11, 2022) has every op the graphs use.
OPSET = 17
FILENAMES = {
    folder_io.SIGNATURE_KEY: folder_io.ONNX_FILENAME,
    folder_io.MASKS_SIGNATURE_KEY: folder_io.ONNX_MASKS_FILENAME,
}


def write(model, directory):
    """Writes `model.onnx` and `model_masks.onnx` into `directory`, each
    file atomically.

    Args:
        model: The transformer network (`folder_io.read_network`).
        directory: An existing folder.

    Returns:
        Dict of signature name (a key of `FILENAMES`) to the path written.

    Raises:
        ValueError: If the onnx package is not installed, or the network
            holds a layer the export does not know.
    """
    written = {}
    for name, filename in FILENAMES.items():
        data = build(model, per_pixel=name == folder_io.MASKS_SIGNATURE_KEY
                     ).SerializeToString()
        path = os.path.join(directory, filename)
        atomic_files.atomic_write(
            path, lambda tmp, data=data: _write_bytes(tmp, data),
            suffix=".onnx")
        written[name] = path
    return written


def build(model, per_pixel=False):
    """The ONNX model (`onnx.ModelProto`) of one signature.

    Args:
        model: The transformer network.
        per_pixel: Per-pixel style weights (`model_masks.onnx`) instead
            of one vector per image (`model.onnx`).
    """
    g = onnx_graph.Graph("multistyle_masks" if per_pixel else "multistyle")
    num_styles = transformer_net.num_styles_of(model)
    images = g.input("images", np.uint8, ["batch", "height", "width", 3])
    weights = g.input(
        "style_weights", np.float32,
        ["batch", "height", "width", num_styles] if per_pixel
        else ["batch", num_styles])
    rows, top = _mirror_indices(g, images, axis=1)
    columns, left = _mirror_indices(g, images, axis=2)
    padded = _gather_rows_and_columns(g, images, rows, columns)
    if per_pixel:
        weights = _gather_rows_and_columns(g, weights, rows, columns)
    x = g.op("Div", g.op("Cast", g.op("Transpose", padded,
                                      perm=[0, 3, 1, 2]),
                         to=onnx_graph.FLOAT),
             g.constant(np.float32(255), "uint8_max"), name="to_float")
    y = onnx_network.add_network(g, model, x, weights, per_pixel)
    # The images' region: the pad's offset, the images' height and width.
    starts = g.op("Concat", top, left, axis=0)
    y = g.op("Slice", y, starts, g.op("Add", starts, g.op(
        "Shape", images, start=1, end=3)), g.constant(np.int64([2, 3]),
                                                      "axes_23"),
             name="crop")
    # `image_io.to_uint8`: round half up, clip.
    y = g.op("Clip", g.op("Add", g.op("Mul", y, g.constant(
        np.float32(255), "uint8_max")), g.constant(np.float32(0.5),
                                                   "half")),
             g.constant(np.float32(0), "zero"),
             g.constant(np.float32(255), "uint8_max"))
    y = g.op("Transpose", g.op("Cast", y, to=onnx_graph.UINT8),
             perm=[0, 2, 3, 1], name="to_nhwc")
    g.output(y, folder_io.OUTPUT_KEY, np.uint8,
             ["batch", "height", "width", 3])
    return g.model(OPSET, doc_string=(
        f"multistyle {'per-pixel ' if per_pixel else ''}style transfer, "
        f"{num_styles} styles"))


def _mirror_indices(g, images, axis):
    """`min_side._mirror_indices` of one axis of NHWC `images`.

    Returns:
        `(positions, before)`: the source index of every padded row (or
        column), and the padding before the image, shape `(1,)`.
    """
    int64 = np.int64
    size = g.op("Shape", images, start=axis, end=axis + 1)
    pad = g.op("Max", g.op("Sub", g.constant(int64([min_side.MIN_SIDE]),
                                             "min_side"), size),
               g.constant(int64([0]), "zero_1d"))
    before = g.op("Div", pad, g.constant(int64([2]), "two_1d"))
    period = g.op("Add", size, size)
    # Shifted by whole periods so that Mod never sees a negative number.
    positions = g.op("Mod", g.op("Add", g.op("Range", g.constant(
        int64(0), "zero_scalar"), g.op("Squeeze", g.op("Add", size, pad)),
        g.constant(int64(1), "one_scalar")), g.op("Sub", g.op(
            "Mul", period, g.constant(int64([min_side.MIN_SIDE]),
                                      "min_side")), before)), period)
    mirrored = g.op("Sub", g.op("Sub", period, g.constant(int64([1]),
                                                          "one_1d")),
                    positions)
    return g.op("Where", g.op("Less", positions, size), positions,
                mirrored, name=f"mirror_{axis}"), before


def _gather_rows_and_columns(g, x, rows, columns):
    return g.op("Gather", g.op("Gather", x, rows, axis=1), columns, axis=2)


def _write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
