"""Edits the styles of a trained network: remove, rename, append rows.

Style `i` of a multistyle network is row `i` of every conditional instance
norm gamma/beta table; everything else is shared by all styles (Dumoulin,
Shlens & Kudlur, "A Learned Representation for Artistic Style", ICLR
2017). So styles are removed, reordered or appended by editing those rows
alone, and the convolution weights and the rows of the styles that stay
are copied bit for bit.

The network functions are pure: they take a network and return a new,
standard `build_transformer_net` network. `load_model_folder` and
`write_model_folder` read and write model folders (`model.keras` plus
`styles.json`); a folder is never edited in place.

Example:

>>> net, styles, config = load_model_folder("models/m16")
>>> net, styles = remove_styles(net, styles, ["great_wave"])
>>> styles = rename_styles(styles, {"starry_night": "gogh"})
>>> write_model_folder("models/m15", net, styles, config)
"""

import dataclasses
import os
import re
import shutil
import tempfile
import zipfile

import keras
import numpy as np

from multistyle import style_set
from multistyle.training import train as training
from multistyle.network import transformer_net
from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm
from multistyle.network.upsampling_conv import UpsamplingConv2D

# What `style_weights.style_index` can tell from an index or a mix entry.
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")


def style_tables(net):
    """Returns every gamma/beta table of a network, in layer order.

    Args:
        net: A network from `transformer_net.build_transformer_net`.

    Returns:
        A list with one `(gamma, beta)` pair of float32 numpy arrays per
        `ConditionalInstanceNorm` layer, each `(num_styles, channels)`.

    Raises:
        ValueError: If `net` has no `ConditionalInstanceNorm` layers.
    """
    transformer_net.num_styles_of(net)  # Raises if there are no tables.
    return [(keras.ops.convert_to_numpy(norm.gamma),
             keras.ops.convert_to_numpy(norm.beta))
            for norm in transformer_net.conditional_norm_layers(net)]


def _conv_shapes(net):
    return {layer.name: tuple(layer.kernel.shape) for layer in net.layers
            if isinstance(layer, (keras.layers.Conv2D, UpsamplingConv2D))}


def infer_alpha(net, hint=None):
    """Finds the width multiplier `alpha` a network was built with.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        hint: A likely value, e.g. `alpha` of the model's `styles.json`
            config; None to infer it from the filter counts alone.

    Returns:
        The first of `hint` and the residual filters' ratio to the full
        network's that rebuilds every convolution of `net` with its shape.

    Raises:
        ValueError: If no such value is found.
    """
    shapes = _conv_shapes(net)

    def candidates():
        if hint is not None:
            yield float(hint)
        if "res1_a_conv" in shapes:
            full = transformer_net.build_transformer_net(1, alpha=1.0)
            yield (shapes["res1_a_conv"][-1]
                   / full.get_layer("res1_a_conv").filters)

    tried = []
    for alpha in candidates():
        if _conv_shapes(transformer_net.build_transformer_net(
                1, alpha=alpha)) == shapes:
            return alpha
        tried.append(alpha)
    raise ValueError(
        f"Model '{net.name}' is not a build_transformer_net network of any "
        f"width (tried alpha={tried}); its convolutions are {shapes}.")


def with_style_tables(net, tables, alpha=None, dtype="float32",
                      padded_inputs=False):
    """A new network with `net`'s convolutions and other gamma/beta tables.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        tables: One `(gamma, beta)` pair per `ConditionalInstanceNorm`
            layer of `net`, in order (see `style_tables`), all with the
            same number of rows: the styles of the new network.
        alpha: The width multiplier of `net`; None infers it.
        dtype: Dtype policy of the new network.
        padded_inputs: Build the new network with a `valid_size` input
            (see `transformer_net.build_transformer_net`).

    Returns:
        `build_transformer_net(num_rows, alpha)` holding copies of `net`'s
        convolution weights and of `tables`.

    Raises:
        ValueError: If `tables` do not fit the network.
    """
    norms = transformer_net.conditional_norm_layers(net)
    if len(tables) != len(norms):
        raise ValueError(
            f"Expected {len(norms)} (gamma, beta) tables, one per "
            f"ConditionalInstanceNorm layer. Received: {len(tables)}")
    rows = {np.shape(table)[0] for pair in tables for table in pair}
    if len(rows) != 1 or 0 in rows:
        raise ValueError("Every gamma/beta table needs the same number of "
                         f"rows, at least 1. Received: {sorted(rows)} rows")
    alpha = infer_alpha(net) if alpha is None else alpha
    new = transformer_net.build_transformer_net(
        rows.pop(), alpha=alpha, dtype=dtype, name=net.name,
        padded_inputs=padded_inputs)
    for layer in new.layers:
        if isinstance(layer, ConditionalInstanceNorm) or not layer.weights:
            continue
        weights = net.get_layer(layer.name).get_weights()
        if [w.shape for w in weights] != [tuple(v.shape)
                                          for v in layer.weights]:
            raise ValueError(
                f"Layer {layer.name} of '{net.name}' does not match a "
                f"network of width alpha={alpha}.")
        layer.set_weights(weights)
    for norm, (gamma, beta) in zip(
            transformer_net.conditional_norm_layers(new), tables):
        if np.shape(gamma) != tuple(norm.gamma.shape) or np.shape(
                beta) != tuple(norm.beta.shape):
            raise ValueError(
                f"Tables for layer {norm.name} must have shape "
                f"{tuple(norm.gamma.shape)}. Received: {np.shape(gamma)} "
                f"and {np.shape(beta)}")
        norm.gamma.assign(gamma)
        norm.beta.assign(beta)
    return new


def select_styles(net, indices, alpha=None):
    """A new network painting `net`'s styles `indices`, in that order."""
    indices = list(indices)
    return with_style_tables(
        net, [(gamma[indices], beta[indices])
              for gamma, beta in style_tables(net)], alpha)


def append_styles(net, tables, alpha=None):
    """A new network painting `net`'s styles, then the rows of `tables`.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        tables: `(gamma, beta)` rows of the new styles, one pair per
            `ConditionalInstanceNorm` layer (see `style_tables`).
        alpha: The width multiplier of `net`; None infers it.
    """
    base = style_tables(net)
    if len(tables) != len(base):
        raise ValueError(
            f"Expected {len(base)} (gamma, beta) tables, one per "
            f"ConditionalInstanceNorm layer. Received: {len(tables)}")
    return with_style_tables(
        net, [(np.concatenate([g, new_g]), np.concatenate([b, new_b]))
              for (g, b), (new_g, new_b) in zip(base, tables)], alpha)


def mean_style_rows(net, num_rows):
    """`num_rows` copies of the mean of `net`'s rows, as `style_tables`.

    The average style is a better start for a new style than the identity
    (gamma 1, beta 0): it already paints like the network's other styles.
    """
    return [tuple(np.repeat(table.mean(axis=0, keepdims=True), num_rows,
                            axis=0) for table in pair)
            for pair in style_tables(net)]


def _names(styles):
    return [s.name for s in styles]


def _check_known(styles, names, what):
    unknown = [n for n in names if n not in _names(styles)]
    if unknown:
        raise ValueError(
            f"Cannot {what} unknown style(s) {unknown}; the model's styles "
            f"are {_names(styles)}.")


def remove_styles(net, styles, names, alpha=None):
    """Removes styles by name from a network and its style list.

    Returns:
        `(new_net, kept_styles)`: the kept styles keep their order and
        their rows bit for bit.

    Raises:
        ValueError: On an unknown name, or if no style would be left.
    """
    _check_known(styles, names, "remove")
    keep = [i for i, s in enumerate(styles) if s.name not in names]
    if not keep:
        raise ValueError(
            f"Cannot remove every style ({_names(styles)}); a model keeps "
            "at least one.")
    return select_styles(net, keep, alpha), [styles[i] for i in keep]


def check_style_name(name):
    """Raises ValueError unless `name` works in `--weights=name=0.5`."""
    if not _NAME_PATTERN.fullmatch(name) or name.isdigit():
        raise ValueError(
            "A style name needs letters, digits, '_', '.' or '-', and not "
            f"only digits (those are indices). Received: {name!r}")


def rename_styles(styles, renames):
    """Returns a copy of `styles` with names changed by `renames`.

    Args:
        styles: The model's `style_set.Style` list.
        renames: Dict mapping old names to new ones. Names may be swapped
            (`{"a": "b", "b": "a"}`).

    Raises:
        ValueError: On an unknown old name, a bad new name, or a new name
            that another style keeps (names ignore case for this).
    """
    _check_known(styles, list(renames), "rename")
    for name in renames.values():
        check_style_name(name)
    renamed = [dataclasses.replace(s, name=renames.get(s.name, s.name))
               for s in styles]
    for old, new in renames.items():
        clashes = [s.name for s in renamed
                   if s.name.lower() == new.lower()]
        if len(clashes) > 1:
            raise ValueError(
                f"Cannot rename {old} to {new}: the model already has a "
                f"style named {new}. Remove or rename that one too.")
    return renamed


def parse_renames(entries):
    """Parses `["old:new", ...]` into a dict; raises ValueError."""
    renames = {}
    for entry in entries:
        old, sep, new = entry.partition(":")
        if not sep or not old.strip() or not new.strip():
            raise ValueError(
                f"Renames are old:new pairs. Received: {entry!r}")
        if old.strip() in renames:
            raise ValueError(f"Style {old.strip()} is renamed twice.")
        renames[old.strip()] = new.strip()
    return renames


def load_model_folder(model_dir):
    """Reads a model folder for editing.

    Returns:
        `(net, styles, config)`: the network of `model.keras`, the
        `style_set.Style` list and the config of `styles.json`.

    Raises:
        ValueError: If the folder or a file is missing or unreadable, the
            network has no gamma/beta tables, or the style counts differ.
    """
    model_path = os.path.join(model_dir, training.MODEL_FILENAME)
    styles_path = os.path.join(model_dir, style_set.STYLES_FILENAME)
    for path in (model_path, styles_path):
        if not os.path.isfile(path):
            raise ValueError(
                f"{path} does not exist; a model folder holds "
                f"{training.MODEL_FILENAME} and {style_set.STYLES_FILENAME}.")
    try:
        net = keras.saving.load_model(model_path, compile=False)
    except (ValueError, TypeError, KeyError, OSError,
            zipfile.BadZipFile) as e:
        raise ValueError(f"Cannot load {model_path}: {e}") from e
    styles, config = style_set.load(styles_path)
    num_styles = transformer_net.num_styles_of(net)
    if num_styles != len(styles):
        raise ValueError(
            f"{styles_path} lists {len(styles)} styles but {model_path} "
            f"paints {num_styles}.")
    return net, styles, config


def write_model_folder(output_dir, net, styles, config):
    """Writes a new model folder (`model.keras` + `styles.json`).

    The folder is written next to `output_dir` under a temporary name and
    renamed when complete.

    Raises:
        ValueError: If `output_dir` exists or the style count is wrong.
    """
    if os.path.exists(output_dir):
        raise ValueError(
            f"{output_dir} already exists; edits write a new model folder, "
            "give a new --output.")
    if transformer_net.num_styles_of(net) != len(styles):
        raise ValueError(
            f"The network paints {transformer_net.num_styles_of(net)} "
            f"styles but {len(styles)} style names were given.")
    output_dir = os.path.abspath(output_dir)
    parent = os.path.dirname(output_dir)
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix=f".{os.path.basename(output_dir)}.",
                                 dir=parent)
    try:
        training.save_model(temporary, net, styles, config)
        os.rename(temporary, output_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def edit_model_folder(model_dir, output_dir, remove=(), renames=None):
    """Writes a copy of a model folder with styles removed, then renamed.

    The config of `styles.json` gains an `edits` record of what changed.

    Returns:
        The new folder's `style_set.Style` list.

    Raises:
        ValueError: On bad names (see `remove_styles`, `rename_styles`),
            an unreadable model or an existing `output_dir`.
    """
    renames = dict(renames or {})
    if os.path.exists(output_dir):  # Fail before loading the model.
        raise ValueError(
            f"{output_dir} already exists; edits write a new model folder, "
            "give a new --output.")
    net, styles, config = load_model_folder(model_dir)
    if remove:
        net, styles = remove_styles(
            net, styles, list(remove),
            alpha=infer_alpha(net, config.get("alpha")))
    styles = rename_styles(styles, renames)
    config = dict(config)
    config["edits"] = [*config.get("edits", []), {
        "source": os.path.abspath(model_dir), "removed": list(remove),
        "renamed": renames}]
    write_model_folder(output_dir, net, styles, config)
    return styles
