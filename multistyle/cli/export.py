"""Exports a trained model as a TF SavedModel, optionally TFLite too.

Example:
    multistyle-export --model=runs/coco32 --output=saved_models/coco32 \
        --tflite --tflite_size=512,512

Needs the TensorFlow backend (the default; KERAS_BACKEND=tensorflow).
"""

from absl import app
from absl import flags

from multistyle import export
from multistyle import model_folder
from multistyle.cli import app_runner

_MODEL = flags.DEFINE_string(
    "model", None,
    "Trained model folder (model.keras + styles.json), or a .keras file "
    "with styles.json beside it.")
_OUTPUT = flags.DEFINE_string(
    "output", None, "SavedModel folder to write, e.g. saved_models/NAME.")
_TFLITE = flags.DEFINE_bool(
    "tflite", False,
    f"Also write {model_folder.TFLITE_FILENAME} (float16 weights) into "
    "--output.")
_TFLITE_SIZE = flags.DEFINE_list(
    "tflite_size", None,
    "HEIGHT,WIDTH to fix the TFLite model's input size (batch 1), for "
    "delegates that need static shapes; unset, it takes any size.")
_OVERWRITE = flags.DEFINE_bool(
    "overwrite", False, "Replace --output if it exists.")


def _tflite_size(values):
    if values is None:
        return None
    try:
        height, width = (int(v) for v in values)
    except ValueError as e:
        raise ValueError(
            "--tflite_size takes HEIGHT,WIDTH (e.g. 256,256). "
            f"Received: {','.join(values)}") from e
    return height, width


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    written = export.export_saved_model(
        _MODEL.value, _OUTPUT.value, tflite=_TFLITE.value,
        tflite_size=_tflite_size(_TFLITE_SIZE.value),
        overwrite=_OVERWRITE.value)
    print(f"Wrote SavedModel {written['saved_model']}")
    print(f"  signature '{model_folder.SIGNATURE_KEY}': images uint8 "
          "[batch, height, width, 3], style_weights float32 "
          f"[batch, num_styles] -> {model_folder.OUTPUT_KEY} uint8")
    print(f"  style names: {written['styles']}, {written['style_names']}")
    if "tflite" in written:
        print(f"Wrote TFLite model {written['tflite']}")


def run():
    flags.mark_flags_as_required(["model", "output"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
