"""Lists, renames and removes the styles of a trained model.

Without edits it lists the styles: index, name (what --style and
--weights take), the painting each was learned from. --remove and
--rename write a new model folder (--output); the input folder is never
changed. To add styles, use multistyle-train --base_model=...
--add_styles=...

Examples:
    multistyle-styles --model=multistyle16
    multistyle-styles --model=models/m16 --remove=great_wave \\
        --rename=starry_night:gogh --output=models/m15
"""

from absl import flags

from multistyle.cli import app_runner
from multistyle.cli import report
from multistyle.model_folder import folder_io
from multistyle.model_folder import presets
from multistyle.model_folder import style_set

_MODEL = flags.DEFINE_string(
    "model", None,
    "Model folder (model.keras and styles.json), or a shipped preset's "
    "name (multistyle16).")
_LIST = flags.DEFINE_bool(
    "list", False,
    "Print index, name, source and added_by_finetuning of each style (what "
    "happens without --rename/--remove; with them, lists the new model).")
_RENAME = flags.DEFINE_list(
    "rename", [], "old:new name pairs, comma-separated; applied after "
    "--remove.")
_REMOVE = flags.DEFINE_list(
    "remove", [],
    "Names of styles to delete (their rows of every gamma/beta table).")
_OUTPUT = flags.DEFINE_string(
    "output", None,
    "New model folder written by --rename/--remove; must not exist.")
flags.adopt_module_key_flags(report)


def main():
    editing = bool(_RENAME.value or _REMOVE.value)
    if editing and not _OUTPUT.value:
        raise ValueError("--rename and --remove write a new model folder: "
                         "give --output=NEW_FOLDER.")
    if _OUTPUT.value and not editing:
        raise ValueError("--output needs --rename or --remove.")
    model = presets.resolve_model_dir(_MODEL.value)
    if editing:
        # Imports Keras (seconds, and TensorFlow's start-up lines): only to
        # edit, not to list.
        from multistyle.model_folder import style_editing

        styles = style_editing.edit_model_folder(
            model, _OUTPUT.value, remove=_REMOVE.value,
            renames=style_set.parse_renames(_RENAME.value))
        report.say(f"Wrote {_OUTPUT.value} ({len(styles)} styles).")
    else:
        styles, _ = folder_io.read_styles(model)
    if _LIST.value or not editing:
        report.say(style_set.table(styles))
    report.emit("multistyle-styles", model=model,
                output=_OUTPUT.value,
                styles=[{"index": i, "name": s.name, "source": s.source,
                         "added_by_finetuning": s.added_by_finetuning}
                        for i, s in enumerate(styles)])


def run():
    flags.mark_flags_as_required(["model"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
