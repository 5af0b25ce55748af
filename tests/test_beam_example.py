"""examples/beam_stylize.py: Beam's RunInference paints as the SavedModel."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from tests.conftest import REPO_ROOT
from tests.conftest import write_image

pytestmark = pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("apache_beam",
                                                   "tensorflow_hub")),
    reason="needs apache-beam and tensorflow-hub (the 'beam' extra), which "
           "are not in the 'test' extra: Beam pins protobuf<7 and "
           "pillow<13")
_MODEL = os.path.join(REPO_ROOT, "saved_models", "multistyle16_lite")


def test_beam_pipeline_paints_each_photo_as_the_saved_model(tmp_path):
    import tensorflow as tf

    sources = [write_image(str(tmp_path / "in" / "a.jpg"), 37, 29, seed=1),
               write_image(str(tmp_path / "in" / "b.png"), 64, 80, seed=2)]
    subprocess.run(
        [sys.executable, os.path.join(REPO_ROOT, "examples", "beam_stylize.py"),
         f"--model={_MODEL}", f"--input={tmp_path / 'in' / '*'}",
         f"--output={tmp_path / 'out'}", "--style=starry_night=0.7,udnie=0.3"],
        check=True, capture_output=True, timeout=600,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))

    serve = tf.saved_model.load(_MODEL).signatures["serving_default"]
    weights = np.zeros((1, 16), np.float32)
    weights[0, [0, 3]] = 0.7, 0.3
    for source in sources:
        photo = np.asarray(Image.open(source).convert("RGB"))
        want = serve(images=tf.constant(photo[None]),
                     style_weights=tf.constant(weights))["stylized"][0]
        name = os.path.splitext(os.path.basename(source))[0] + ".png"
        got = np.asarray(Image.open(tmp_path / "out" / name))
        np.testing.assert_array_equal(got, want.numpy())
