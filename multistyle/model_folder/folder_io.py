"""Model folders: the only code that reads or writes one.

A model folder is what training writes and every tool reads:

- `styles.json`: the style names in the order of the weight vector, the
  paintings they came from, and the training config (always there);
- `model.keras`: the Keras network (written by training and by style
  edits; runs on any Keras backend);
- a TensorFlow SavedModel (`saved_model.pb`, `variables/`,
  `assets/styles.txt`, optionally `model_float16.tflite` and the ONNX
  models `model.onnx` and `model_masks.onnx`), written by
  `multistyle.export`; it runs with TensorFlow alone, through the
  signatures named here (the ONNX files: one signature each).

Folders are written atomically (`atomic_files`): a reader never sees a
half-written one.

Example:

>>> net, styles, config = read("saved_models/multistyle16")
>>> write_new("/tmp/m16", net, styles, config)
"""

import dataclasses
import json
import os
import zipfile

from multistyle.io import atomic_files
from multistyle.model_folder import style_set

MODEL_FILENAME = "model.keras"
STYLES_FILENAME = "styles.json"
SAVED_MODEL_FILENAME = "saved_model.pb"
# One style name per line, in the order of the `style_weights` columns.
STYLE_NAMES_ASSET = os.path.join("assets", "styles.txt")
TFLITE_FILENAME = "model_float16.tflite"
ONNX_FILENAME = "model.onnx"  # The `SIGNATURE_KEY` signature.
ONNX_MASKS_FILENAME = "model_masks.onnx"  # `MASKS_SIGNATURE_KEY`.
# `SIGNATURE_KEY` with int8 convolutions (`multistyle-export
# --quantize=int8`).
ONNX_INT8_FILENAME = "model_int8.onnx"
# The SavedModel's signatures: per-image weights `(batch, num_styles)`,
# and per-pixel ones `(batch, height, width, num_styles)`; both take
# `images` and `style_weights` and return `{OUTPUT_KEY: images}`.
SIGNATURE_KEY = "serving_default"
MASKS_SIGNATURE_KEY = "serving_masks"
OUTPUT_KEY = "stylized"
_FORMAT_VERSION = 1


def has_keras_model(model_dir):
    """Whether the folder holds `model.keras`."""
    return os.path.isfile(os.path.join(model_dir, MODEL_FILENAME))


def has_saved_model(model_dir):
    """Whether the folder holds an exported SavedModel."""
    return os.path.isfile(os.path.join(model_dir, SAVED_MODEL_FILENAME))


def check_folder(model_dir):
    """Raises FileNotFoundError unless `model_dir` is a model folder."""
    if not os.path.isdir(model_dir):
        raise FileNotFoundError(f"Model folder {model_dir} does not exist.")
    if not os.path.isfile(os.path.join(model_dir, STYLES_FILENAME)):
        raise FileNotFoundError(
            f"No {STYLES_FILENAME} in {model_dir}; is it a multistyle model "
            "folder?")


def read_styles(model_dir):
    """Reads `styles.json`: returns `(styles, config)`.

    Raises:
        FileNotFoundError: If the folder or its `styles.json` is missing.
        ValueError: If `styles.json` is unreadable.
    """
    check_folder(model_dir)
    path = os.path.join(model_dir, STYLES_FILENAME)
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
        styles = [style_set.Style(**s) for s in payload["styles"]]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"Cannot read style list {path}: {e}") from e
    return styles, payload.get("config", {})


def write_styles(model_dir, styles, config=None):
    """Writes `styles.json` atomically: the styles in order and a config."""
    payload = {
        "format_version": _FORMAT_VERSION,
        "styles": [dataclasses.asdict(s) for s in styles],
        "config": config or {},
    }
    atomic_files.write_text(os.path.join(model_dir, STYLES_FILENAME),
                            json.dumps(payload, indent=2) + "\n")


def write_style_names(model_dir, styles):
    """Writes `assets/styles.txt`: one name per line, in order."""
    atomic_files.write_text(os.path.join(model_dir, STYLE_NAMES_ASSET),
                            "".join(f"{s.name}\n" for s in styles))


def keras_model_path(model_dir_or_keras_path):
    """The `.keras` file of a model folder, or the `.keras` file given.

    Raises:
        FileNotFoundError: If there is no such file.
    """
    path = model_dir_or_keras_path
    if os.path.isdir(path):
        path = os.path.join(path, MODEL_FILENAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No trained model at {model_dir_or_keras_path}: expected a "
            f"folder with {MODEL_FILENAME} and {STYLES_FILENAME}, or a "
            ".keras file with a styles.json beside it.")
    return path


def read_network(model_dir_or_keras_path):
    """Loads the Keras network of a model folder (or a `.keras` file).

    Raises:
        FileNotFoundError: If there is no `model.keras`.
        ValueError: If it cannot be loaded or is not a multistyle network.
    """
    import keras

    # Registers the custom layers that `model.keras` refers to.
    from multistyle.network import transformer_net

    path = keras_model_path(model_dir_or_keras_path)
    try:
        net = keras.saving.load_model(path, compile=False)
    except (ValueError, TypeError, KeyError, OSError,
            zipfile.BadZipFile) as e:
        raise ValueError(f"Cannot load {path}: {e}") from e
    transformer_net.num_styles_of(net)  # Raises unless it is one.
    # Files written before the network carried its settings.
    return transformer_net.upgraded(net)


def check_style_count(num_styles, styles, model_dir):
    """Raises ValueError unless a network painting `num_styles` styles
    fits the `styles` list of `model_dir`."""
    if num_styles != len(styles):
        raise ValueError(
            f"{os.path.join(model_dir, STYLES_FILENAME)} lists "
            f"{len(styles)} styles but the network in {model_dir} paints "
            f"{num_styles}.")


def read(model_dir_or_keras_path):
    """Reads a model folder's Keras network and styles.

    Args:
        model_dir_or_keras_path: A model folder, or a `.keras` file with
            the folder's `styles.json` beside it.

    Returns:
        `(net, styles, config)`: the network of `model.keras`, the
        `style_set.Style` list and the config of `styles.json`.

    Raises:
        FileNotFoundError: If a file is missing.
        ValueError: If a file is unreadable, the network is not a
            multistyle network, or the style counts differ.
    """
    from multistyle.network import transformer_net

    path = keras_model_path(model_dir_or_keras_path)
    model_dir = os.path.dirname(os.path.abspath(path))
    styles, config = read_styles(model_dir)
    net = read_network(path)
    check_style_count(transformer_net.num_styles_of(net), styles, model_dir)
    return net, styles, config


def read_saved_model(model_dir):
    """Loads a model folder's SavedModel with TensorFlow.

    Returns:
        The loaded object; its `signatures` hold `SIGNATURE_KEY` and, when
        exported by this version, `MASKS_SIGNATURE_KEY`.

    Raises:
        ValueError: If it has no `SIGNATURE_KEY` signature.
    """
    import tensorflow as tf  # Only SavedModels need TensorFlow.

    loaded = tf.saved_model.load(model_dir)
    if SIGNATURE_KEY not in loaded.signatures:
        raise ValueError(
            f"SavedModel {model_dir} has no {SIGNATURE_KEY} signature; "
            "export it with multistyle.export.")
    return loaded


def _write_files(model_dir, net, styles, config):
    """`model.keras` (float32) and `styles.json` into `model_dir`."""
    from multistyle.network import transformer_net

    num_styles = transformer_net.num_styles_of(net)
    if num_styles != len(styles):
        raise ValueError(
            f"The network paints {num_styles} styles but {len(styles)} "
            "style names were given.")
    if net.dtype_policy.name != "float32":
        weights = net.get_weights()
        net = transformer_net.rebuilt(net, dtype="float32")
        net.set_weights(weights)
    atomic_files.atomic_write(os.path.join(model_dir, MODEL_FILENAME),
                              net.save, suffix=".keras")
    write_styles(model_dir, styles, config)


def write(model_dir, net, styles, config):
    """Writes `model.keras` and `styles.json` into `model_dir`, each file
    atomically (training's output, in its run folder).

    The network is saved in float32 whatever policy it was trained with.

    Raises:
        ValueError: If the network's style count is not `len(styles)`.
    """
    os.makedirs(model_dir, exist_ok=True)
    _write_files(model_dir, net, styles, config)


def write_new(output_dir, net, styles, config):
    """Writes a new model folder (`model.keras` + `styles.json`) at once:
    it appears complete or not at all.

    Raises:
        FileExistsError: If `output_dir` exists.
        ValueError: If the network's style count is not `len(styles)`.
    """
    check_new(output_dir)
    atomic_files.write_folder(
        output_dir, lambda tmp: _write_files(tmp, net, styles, config))


def check_new(output_dir, hint="model folders are written to a new path"):
    """Raises FileExistsError, with `hint`, if `output_dir` exists."""
    if os.path.lexists(output_dir):
        raise FileExistsError(f"{output_dir} already exists; {hint}.")


def check_writable(output_dir, overwrite=False):
    """Raises FileExistsError if `output_dir` exists and `overwrite` is
    False (see `write_folder`)."""
    if not overwrite:
        check_new(output_dir, "choose another path or pass `overwrite` to "
                              "replace it")


def write_folder(output_dir, write_contents, overwrite=False):
    """Builds a model folder with `write_contents(tmp_dir)` and moves it
    into place at once (see `atomic_files.write_folder`).

    Raises:
        FileExistsError: If `output_dir` exists and `overwrite` is False.
    """
    check_writable(output_dir, overwrite)
    atomic_files.write_folder(output_dir, write_contents, overwrite=True)
