"""Paints a large photo collection with Apache Beam's RunInference.

Every photo that `--input` matches is decoded, painted by a multistyle
SavedModel's `serving_default` signature in one style blend, and written
as PNG into `--output`. Beam runs the same pipeline on one machine (the
default DirectRunner) or on many (Dataflow, Flink, Spark: pass their
pipeline options after the script's own), loading the model once per
worker. Needs TensorFlow, Pillow, `apache-beam` and `tensorflow-hub`
(which Beam's TensorFlow handler imports), not multistyle:

    pip install apache-beam tensorflow-hub
    python examples/beam_stylize.py --model=saved_models/multistyle16 \\
        --input='photos/*.jpg' --output=painted/ \\
        --style=starry_night=0.7,great_wave=0.3
"""

import argparse
import io
import json
import os

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.ml.inference import base
from apache_beam.ml.inference import tensorflow_inference
import numpy as np
from PIL import Image
import tensorflow as tf


class SavedModelHandler(tensorflow_inference.TFModelHandlerTensor):
    """Beam's TensorFlow model handler over a multistyle SavedModel.

    It loads the SavedModel with `tf.saved_model.load` (the parent's
    `tf.keras.models.load_model` reads only `.keras` files in Keras 3) and
    paints one photo per call, since photos differ in size.

    Args:
        model_dir: The SavedModel folder.
        style_weights: float32 `(num_styles,)`, the blend for every photo.
    """

    def __init__(self, model_dir, style_weights):
        super().__init__(model_dir, inference_fn=self._paint,
                         max_batch_size=1)
        self._style_weights = np.float32(style_weights)

    def load_model(self):
        return tf.saved_model.load(self._model_uri)

    def _paint(self, model, batch, inference_args, model_id=None):
        serve = model.signatures["serving_default"]
        painted = serve(
            images=tf.constant(np.stack(batch), tf.uint8),
            style_weights=tf.constant(self._style_weights[None]))["stylized"]
        return [base.PredictionResult(image, out, model_id)
                for image, out in zip(batch, painted.numpy())]


def style_weights(model_dir, blend):
    """The weight vector of `name=weight,...` in `styles.json` order."""
    with FileSystems.open(os.path.join(model_dir, "styles.json")) as f:
        names = [s["name"] for s in json.load(f)["styles"]]
    weights = np.zeros(len(names), np.float32)
    for item in blend.split(","):
        name, _, value = item.partition("=")
        if name not in names:
            raise ValueError(f"Unknown style {name!r}; the model paints "
                             f"{', '.join(names)}.")
        weights[names.index(name)] = float(value or 1.0)
    return weights


def _decode(readable_file):
    image = Image.open(io.BytesIO(readable_file.read())).convert("RGB")
    return readable_file.metadata.path, np.asarray(image)


def _write_png(keyed_result, output_dir):
    path, result = keyed_result
    name = os.path.splitext(os.path.basename(path))[0] + ".png"
    with FileSystems.create(os.path.join(output_dir, name)) as f:
        Image.fromarray(result.inference).save(f, format="PNG")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="SavedModel folder.")
    parser.add_argument("--input", required=True, help="Photo glob.")
    parser.add_argument("--output", required=True, help="Output folder.")
    parser.add_argument("--style", required=True,
                        help="Blend as name=weight,... (styles.json names).")
    args, pipeline_args = parser.parse_known_args(argv)
    handler = base.KeyedModelHandler(SavedModelHandler(
        args.model, style_weights(args.model, args.style)))
    with beam.Pipeline(argv=pipeline_args) as pipeline:
        _ = (pipeline
             | fileio.MatchFiles(args.input)
             | fileio.ReadMatches()
             | beam.Map(_decode)
             | base.RunInference(handler)
             | beam.Map(_write_png, args.output))


if __name__ == "__main__":
    main()
