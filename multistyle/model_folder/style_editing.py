"""Removes and renames the styles of a model folder, into a new folder.

Removing a style drops its row of every gamma/beta table
(`network.style_tables`); the convolutions and the other styles' rows are
copied bit for bit. Renaming changes `styles.json` alone (`style_set`).
A folder is never edited in place: the result is a new model folder
(`folder_io.write_new`). Adding styles needs training, see
`multistyle.training.add_styles`.

Example:

>>> edit_model_folder("models/m16", "models/m15", remove=["great_wave"],
...                   renames={"starry_night": "gogh"})
"""

import os

from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import style_tables


def remove_styles(net, styles, names):
    """Removes styles by name from a network and its style list.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        styles: Its `style_set.Style` list.
        names: The names of the styles to remove.

    Returns:
        `(new_net, kept_styles)`: the kept styles keep their order and
        their rows bit for bit.

    Raises:
        ValueError: On an unknown name, or if no style would be left.
    """
    style_set.check_known(styles, names, "remove")
    keep = [i for i, s in enumerate(styles) if s.name not in names]
    if not keep:
        raise ValueError(
            f"Cannot remove every style ({style_set.names(styles)}); a "
            "model keeps at least one.")
    return (style_tables.select_styles(net, keep),
            [styles[i] for i in keep])


def edit_model_folder(model_dir, output_dir, remove=(), renames=None):
    """Writes a copy of a model folder with styles removed, then renamed.

    The config of `styles.json` gains an `edits` record of what changed.

    Args:
        model_dir: The model folder to copy (it is not changed).
        output_dir: The new model folder; must not exist.
        remove: Names of the styles to remove.
        renames: Dict of old name -> new name, applied after `remove`.

    Returns:
        The new folder's `style_set.Style` list.

    Raises:
        FileNotFoundError: If `model_dir` or one of its files is missing.
        FileExistsError: If `output_dir` exists.
        ValueError: On bad names (see `remove_styles`,
            `style_set.rename_styles`) or an unreadable model.
    """
    renames = dict(renames or {})
    folder_io.check_new(output_dir)  # Fail before loading the model.
    net, styles, config = folder_io.read(model_dir)
    if remove:
        net, styles = remove_styles(net, styles, list(remove))
    styles = style_set.rename_styles(styles, renames)
    config = dict(config)
    config["edits"] = [*config.get("edits", []), {
        "source": os.path.abspath(model_dir), "removed": list(remove),
        "renamed": renames}]
    folder_io.write_new(output_dir, net, styles, config)
    return styles
