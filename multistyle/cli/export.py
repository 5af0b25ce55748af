"""Exports a trained model as a TensorFlow SavedModel, and TFLite with --tflite.

The SavedModel serves the blend inside the graph: its serving_default
signature takes uint8 images of any size and a style weight vector per
image, serving_masks per-pixel weights; plain TensorFlow (or TF Serving)
runs it without this package. --tflite adds model_float16.tflite, which
multistyle-stylize runs by default for a fast start. --onnx adds
model.onnx and model_masks.onnx, the two signatures for onnxruntime and
other ONNX runtimes (pip install 'multistyle[onnx]'). --quantize=int8
adds model_int8.onnx, integer convolutions calibrated on training photos
(--calibration_photos, less every --holdout_every-th, which evaluation
holds out). --onnx_only writes the ONNX models into the --model folder
itself (a shipped model folder, with model.keras beside its SavedModel),
leaving the rest. Needs the TensorFlow backend (KERAS_BACKEND=tensorflow).

Examples:
    multistyle-export --model=runs/mine --output=saved_models/mine --tflite
    multistyle-export --model=runs/mine --output=saved_models/mine --onnx
    multistyle-export --model=runs/mine --output=/tmp/m512 --tflite \\
        --tflite_size=512,512 --overwrite
    multistyle-export --model=saved_models/multistyle16 --onnx_only \\
        --quantize=int8 \\
        --calibration_photos=../shared/data/content_train/bsds500
"""

from absl import app
from absl import flags

from multistyle.cli import app_runner
from multistyle.cli import common_flags
from multistyle.cli import report
from multistyle.export import onnx_quantization
from multistyle.export import saved_model
from multistyle.model_folder import folder_io

_MODEL = flags.DEFINE_string(
    "model", None,
    "Trained model folder (model.keras + styles.json), or a .keras file "
    "with styles.json beside it.")
_OUTPUT = flags.DEFINE_string(
    "output", None, "SavedModel folder to write, e.g. saved_models/NAME.")
_TFLITE = flags.DEFINE_bool(
    "tflite", False,
    f"Also write {folder_io.TFLITE_FILENAME} (float16 weights) into "
    "--output.")
_TFLITE_SIZE = flags.DEFINE_list(
    "tflite_size", None,
    "HEIGHT,WIDTH to fix the TFLite model's input size (batch 1), for "
    "delegates that need static shapes; unset, it takes any size.")
_ONNX = flags.DEFINE_bool(
    "onnx", False,
    f"Also write {folder_io.ONNX_FILENAME} ({folder_io.SIGNATURE_KEY})"
    f" and {folder_io.ONNX_MASKS_FILENAME} "
    f"({folder_io.MASKS_SIGNATURE_KEY}) into --output; needs the onnx "
    "package.")
_OVERWRITE = flags.DEFINE_bool(
    "overwrite", False, "Replace --output if it exists.")
_QUANTIZE = flags.DEFINE_enum(
    "quantize", None, [q for q in saved_model.QUANTIZATIONS if q],
    f"int8: also write {folder_io.ONNX_INT8_FILENAME} (with --onnx or "
    "--onnx_only), integer convolutions calibrated on "
    "--calibration_photos.")
_CALIBRATION_PHOTOS = flags.DEFINE_string(
    "calibration_photos", None,
    "Folder (or glob) of photos like those the model paints, e.g. its "
    "training photos, for --quantize; every --holdout_every-th is left "
    "out, as evaluation holds it out.")
_CALIBRATION_COUNT = flags.DEFINE_integer(
    "calibration_count", 32,
    "Calibration photos used, spread over --calibration_photos.")
_ONNX_ONLY = flags.DEFINE_bool(
    "onnx_only", False,
    "Write only the ONNX models (and with --quantize their int8 model), "
    "into the --model folder, which must hold model.keras and "
    "styles.json; its other files stay. --output is then not used.")
flags.adopt_module_key_flags(report)
flags.declare_key_flag(common_flags.HOLDOUT_EVERY.name)


def _calibration_photos():
    """The --calibration_photos to calibrate --quantize on, or None."""
    if not _QUANTIZE.value:
        return None
    if not _CALIBRATION_PHOTOS.value:
        raise app.UsageError("--quantize needs --calibration_photos.")
    return onnx_quantization.load_calibration_photos(
        _CALIBRATION_PHOTOS.value, _CALIBRATION_COUNT.value,
        common_flags.HOLDOUT_EVERY.value)


def main():
    if _ONNX_ONLY.value:
        written = saved_model.add_onnx(
            _MODEL.value, quantize=_QUANTIZE.value,
            calibration_photos=_calibration_photos())
    elif not _OUTPUT.value:
        raise app.UsageError("--output is required (unless --onnx_only).")
    else:
        written = saved_model.export_saved_model(
            _MODEL.value, _OUTPUT.value, tflite=_TFLITE.value,
            tflite_size=_TFLITE_SIZE.value, onnx=_ONNX.value,
            overwrite=_OVERWRITE.value, quantize=_QUANTIZE.value,
            calibration_photos=_calibration_photos())
        report.say(f"Signature '{folder_io.SIGNATURE_KEY}': images uint8 "
                   "[batch, height, width, 3], style_weights float32 "
                   f"[batch, num_styles] -> {folder_io.OUTPUT_KEY} uint8")
    report.emit("multistyle-export", model=_MODEL.value,
                outputs={k: str(v) for k, v in written.items()})
    for kind, path in written.items():
        report.say(f"Wrote {kind.replace('_', ' ')}: {path}")


def run():
    flags.mark_flags_as_required(["model"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
