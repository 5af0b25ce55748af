"""An int8 `model.onnx`: static quantization with calibration photos.

onnxruntime's `quantize_static` runs the float model on calibration
photos, records the range of every convolution's input and output, and
writes a QDQ model (QuantizeLinear/DequantizeLinear pairs around each
convolution) with int8 weights per output channel. onnxruntime fuses
each pair into an integer convolution (`QLinearConv`), so the
multiply-adds, most of the network's work, run on 8-bit integers.
The first and last convolutions stay float (`LARGEST_QUANTIZED_KERNEL`),
and so does everything else: the instance norms (their statistics and
the style blend are where a few levels of rounding would show), the
padding and upsampling, and the uint8 ends, which already are integers.

Weights are quantized to 7 bits (`reduce_range`): CPUs without VNNI
(AVX2 alone) add pairs of 8-bit products in 16 bits, which saturates;
with 7 bits the file paints alike on every x86 CPU.

Calibration photos should be photos like the ones the model paints (the
training photos, not the held-out ones it is evaluated on); each is
painted in one style, the styles taken in turn, so every style's ranges
are seen.

Example:

>>> write_int8("exported/model.onnx", "exported/model_int8.onnx",
...            photos, num_styles=16)
"""

import numpy as np

from multistyle import errors
from multistyle.io import atomic_files
from multistyle.io import image_io

# Ops whose inputs and outputs are quantized (the rest stay float).
QUANTIZED_OPS = ("Conv",)
# Convolutions with larger kernels stay float: the first and the last
# (9x9; 5x5 at half resolution). onnxruntime's integer convolution is
# 3x faster than its float one at 3x3, but 2x slower at those sizes
# with few channels (BENCHMARKS.md, int8), and they are the most
# sensitive to rounding: the photo's pixels, the painting's.
LARGEST_QUANTIZED_KERNEL = 3
# Long side of the calibration photos: the training crops' scale (the
# ranges of an instance-normalized network barely depend on the size).
CALIBRATION_SIZE = 256


def load_calibration_photos(calibration_photos, calibration_count,
                            holdout_every=0):
    """`calibration_count` photos spread evenly over the images in the
    folder or glob `calibration_photos`, less every `holdout_every`-th
    (which evaluation holds out, `image_io.split_holdout`), at long side
    `CALIBRATION_SIZE`, as uint8 RGB HWC arrays.

    Raises:
        ArgumentError: If there are no photos or `calibration_count` is
            below 1.
    """
    files = image_io.split_holdout(image_io.find_images(calibration_photos),
                                   holdout_every)[0]
    if calibration_count < 1 or not files:
        raise errors.ArgumentError(
            "Int8 quantization needs calibration photos: {calibration_photos}"
            " must hold photos and {calibration_count} be at least 1. "
            f"Received: {len(files)} photos in {calibration_photos}, "
            f"{{calibration_count:value}}={calibration_count}",
            ("calibration_photos", "calibration_count"))
    step = max(1, len(files) // calibration_count)
    return [image_io.resize_long_side(image_io.load_image(path),
                                      CALIBRATION_SIZE)
            for path in files[::step][:calibration_count]]


def write_int8(float_model, output_path, photos, num_styles):
    """Writes the int8 model of a float `model.onnx`, atomically.

    Args:
        float_model: Path of the float model (`onnx_models.build`).
        output_path: The `.onnx` file to write.
        photos: Calibration photos, uint8 RGB HWC arrays (any sizes;
            each runs alone).
        num_styles: The model's number of styles.

    Returns:
        `output_path`.

    Raises:
        ValueError: If there are no photos, or onnxruntime is not
            installed.
    """
    if not photos:
        raise ValueError("Int8 quantization needs calibration photos. "
                         "Received: no photos")
    try:
        from onnxruntime import quantization
    except ImportError as e:
        raise ValueError("Int8 export needs onnxruntime: pip install "
                         "'multistyle[onnx]'.") from e

    def quantize(tmp_path):
        quantization.quantize_static(
            float_model, tmp_path,
            _calibration_reader(quantization.CalibrationDataReader,
                                photos, num_styles),
            quant_format=quantization.QuantFormat.QDQ,
            op_types_to_quantize=list(QUANTIZED_OPS),
            nodes_to_exclude=_large_kernel_convs(float_model),
            per_channel=True,
            reduce_range=True, activation_type=quantization.QuantType.QUInt8,
            weight_type=quantization.QuantType.QInt8,
            calibrate_method=quantization.CalibrationMethod.MinMax)

    atomic_files.atomic_write(output_path, quantize, suffix=".onnx")
    return output_path


def _large_kernel_convs(path):
    """Names of the model's convolutions with kernels larger than
    `LARGEST_QUANTIZED_KERNEL`."""
    import onnx  # pylint: disable=g-import-not-at-top

    graph = onnx.load(path).graph
    shapes = {tensor.name: tensor.dims for tensor in graph.initializer}
    return [node.name for node in graph.node if node.op_type == "Conv"
            and max(shapes[node.input[1]][2:]) > LARGEST_QUANTIZED_KERNEL]


def _calibration_reader(base, photos, num_styles):
    """A `base` (onnxruntime's CalibrationDataReader) that feeds photo `i`
    painted in style `i % num_styles`, one at a time."""
    one_hot = np.eye(num_styles, dtype=np.float32)
    feeds = ({"images": np.asarray(photo, np.uint8)[None],
              "style_weights": one_hot[[i % num_styles]]}
             for i, photo in enumerate(photos))

    class Reader(base):
        def get_next(self):
            return next(feeds, None)

    return Reader()
