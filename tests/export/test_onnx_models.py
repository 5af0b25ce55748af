"""`multistyle-export --onnx`: ONNX models that match the SavedModel,
lean enough that onnxruntime's optimized graph keeps the layout."""

import collections
import functools
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest

from multistyle.export import onnx_graph
from multistyle.export import saved_model
from multistyle.model_folder import folder_io
from tests.conftest import REPO_ROOT
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import save_random_model

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="export runs on the TensorFlow backend only")
# Odd sizes, one below the network's smallest side (padded in the graph).
SIZES = [(2, 37, 29), (1, 64, 48), (1, 9, 12)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A SavedModel folder written by `multistyle-export --onnx`."""
    root = tmp_path_factory.mktemp("onnx")
    model_dir = save_random_model(root / "trained")
    output = root / "exported"
    subprocess.run(
        [sys.executable, "-m", "multistyle.cli.export", f"--model={model_dir}",
         f"--output={output}", "--onnx"],
        check=True, cwd=REPO_ROOT, timeout=600, capture_output=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return str(output)


def session(path, optimized_model_path=None):
    """An onnxruntime CPU session of `path` (which writes its optimized
    graph to `optimized_model_path`, if given)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if optimized_model_path:
        options.optimized_model_filepath = str(optimized_model_path)
    return onnxruntime.InferenceSession(path, options,
                                        providers=["CPUExecutionProvider"])


def optimized_op_counts(path, tmp_path):
    """How many nodes of each op type onnxruntime's optimized graph of
    `path` has (with every optimization, as it runs it)."""
    import onnx

    optimized = tmp_path / "optimized.onnx"
    session(path, optimized)
    return collections.Counter(
        node.op_type for node in onnx.load(str(optimized)).graph.node)


@functools.lru_cache(maxsize=4)
def _signatures(saved_model_dir):
    import tensorflow as tf

    return tf.saved_model.load(saved_model_dir).signatures


def assert_onnx_matches_signature(onnx_path, saved_model_dir, signature,
                                  images, weights):
    """The ONNX model paints `images` as the SavedModel's `signature`,
    within one uint8 level."""
    import tensorflow as tf

    serve = _signatures(saved_model_dir)[signature]
    want = serve(images=tf.constant(images),
                 style_weights=tf.constant(weights))[
        folder_io.OUTPUT_KEY].numpy()
    got, = session(onnx_path).run(
        [folder_io.OUTPUT_KEY],
        {"images": images, "style_weights": weights})
    assert got.dtype == np.uint8 and got.shape == images.shape
    assert np.abs(got.astype(int) - want).max() <= 1, images.shape


def test_onnx_model_has_the_signature_inputs_and_outputs(exported):
    model = session(os.path.join(exported, folder_io.ONNX_FILENAME))
    inputs = {i.name: i for i in model.get_inputs()}
    assert inputs["images"].type == "tensor(uint8)"
    assert inputs["style_weights"].type == "tensor(float)"
    assert inputs["style_weights"].shape[1] == len(TEST_STYLE_NAMES)
    # Batch, height and width are symbolic: any size.
    assert all(isinstance(d, str) for d in inputs["images"].shape[:3])
    output, = model.get_outputs()
    assert (output.name, output.type) == (folder_io.OUTPUT_KEY,
                                          "tensor(uint8)")


@pytest.mark.parametrize("shape", SIZES)
def test_onnx_model_paints_as_the_saved_model(exported, shape):
    rng = np.random.default_rng(shape[1])
    images = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    weights = rng.dirichlet(np.ones(len(TEST_STYLE_NAMES)),
                            shape[0]).astype(np.float32)
    assert_onnx_matches_signature(
        os.path.join(exported, folder_io.ONNX_FILENAME), exported,
        folder_io.SIGNATURE_KEY, images, weights)


@pytest.mark.parametrize("shape", SIZES)
def test_onnx_masks_model_paints_as_the_masks_signature(exported, shape):
    images = np.random.default_rng(0).integers(0, 256, (*shape, 3),
                                               dtype=np.uint8)
    weights = np.zeros((*shape, len(TEST_STYLE_NAMES)), np.float32)
    weights[:, :, :shape[2] // 2, 0] = 1.0
    weights[:, :, shape[2] // 2:, 2] = 1.0
    assert_onnx_matches_signature(
        os.path.join(exported, folder_io.ONNX_MASKS_FILENAME), exported,
        folder_io.MASKS_SIGNATURE_KEY, images, weights)


def test_add_onnx_writes_beside_and_leaves_the_saved_model(tmp_path):
    folder = save_random_model(tmp_path / "model")
    saved_model.export_saved_model(folder, str(tmp_path / "exported"))
    # A shipped folder: the SavedModel and model.keras side by side.
    shutil.copy(os.path.join(folder, folder_io.MODEL_FILENAME),
                tmp_path / "exported")
    saved_model_pb = tmp_path / "exported" / folder_io.SAVED_MODEL_FILENAME
    before = saved_model_pb.read_bytes()

    written = saved_model.add_onnx(str(tmp_path / "exported"))

    assert sorted(os.path.basename(p) for p in written.values()) == [
        folder_io.ONNX_FILENAME, folder_io.ONNX_MASKS_FILENAME]
    assert saved_model_pb.read_bytes() == before


@pytest.mark.parametrize("filename", [folder_io.ONNX_FILENAME,
                                      folder_io.ONNX_MASKS_FILENAME])
def test_optimized_graph_changes_layout_once_at_each_end(exported, filename,
                                                         tmp_path):
    counts = optimized_op_counts(os.path.join(exported, filename), tmp_path)
    assert counts["Transpose"] <= 2, counts
    # No per-layer shape arithmetic: a Shape for the small-image padding
    # and the crop (and, per-pixel, one for each resolution's weights).
    assert counts["Shape"] <= (3 if filename == folder_io.ONNX_FILENAME
                               else 25), counts


def test_onnx_model_has_one_node_per_op_of_the_network(exported):
    import onnx

    counts = collections.Counter(node.op_type for node in onnx.load(
        os.path.join(exported, folder_io.ONNX_FILENAME)).graph.node)
    # 16 convolutions, as many instance norms (the random model's are all
    # "instance"), one blend of all the style tables, a transpose at each
    # end.
    assert counts["Conv"] == counts["InstanceNormalization"] == 16
    assert counts["MatMul"] == 1
    assert counts["Transpose"] == 2


def test_missing_onnx_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ValueError, match=r"multistyle\[onnx\]"):
        onnx_graph.Graph("multistyle")
