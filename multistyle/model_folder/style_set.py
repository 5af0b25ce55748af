"""The styles a model paints, in order, and the rules for their names.

Style `i` of a model is row `i` of every gamma/beta table, and its name is
what users type in a mix such as `starry_night=0.7,great_wave=0.3`. So a
name is letters, digits, `_`, `.` and `-`, and never only digits: digits
are an index (`style=3`). Style names come from painting files
(`Starry Night.jpg` -> `starry_night`) and can be renamed; names ignore
case when they are compared for clashes. (The list is stored in a model
folder's `styles.json`, see `folder_io`.)
"""

import dataclasses
import os
import re

# What a mix entry such as `name=0.5` can hold as a name.
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")


@dataclasses.dataclass
class Style:
    """One learned style: its name and the painting it was learned from."""

    name: str
    source: str = ""
    added_by_finetuning: bool = False


def style_name(path):
    """A style name from an image path: `Starry Night.jpg` -> starry_night."""
    stem = os.path.splitext(os.path.basename(path))[0].lower()
    return re.sub(r"[^a-z0-9]+", "_", stem).strip("_") or "style"


def is_index(text):
    """Whether a style given as text is an index (digits, maybe a minus)."""
    return str(text).strip().lstrip("-").isdigit()


def check_style_name(name):
    """Raises ValueError unless `name` can be typed in a mix (`name=0.5`)."""
    if not _NAME_PATTERN.fullmatch(name) or is_index(name):
        raise ValueError(
            "A style name needs letters, digits, '_', '.' or '-', and not "
            f"only digits (those are indices). Received: {name!r}")


def names(styles):
    """The names of a `Style` list, in order."""
    return [s.name for s in styles]


def table(styles):
    """The styles as text: a header, then index, name, whether fine-tuning
    added it, and its painting, one line each."""
    width = max(len("name"), *(len(s.name) for s in styles))
    return "\n".join(
        [f"{'index':>5}  {'name':<{width}}  added_by_finetuning  source"]
        + [f"{i:>5}  {s.name:<{width}}  {str(s.added_by_finetuning):<19}  "
           f"{s.source}" for i, s in enumerate(styles)])


def check_known(styles, wanted, what):
    """Raises ValueError naming the `wanted` names that `styles` lacks."""
    unknown = [n for n in wanted if n not in names(styles)]
    if unknown:
        raise ValueError(
            f"Cannot {what} unknown style(s) {unknown}; the model's styles "
            f"are {names(styles)}.")


def check_no_clashes(taken, new_styles):
    """Raises ValueError if a new style's name is taken (ignoring case)."""
    for style in new_styles:
        check_style_name(style.name)
    lowered = {n.lower() for n in taken}
    clashes = [s.name for s in new_styles if s.name.lower() in lowered]
    if clashes:
        raise ValueError(
            f"The model already has style(s) named {clashes}. Rename the "
            "new painting file(s), or rename the model's style first.")


def styles_from_files(paths):
    """Styles named after their files; raises ValueError on a name clash."""
    styles = [Style(style_name(p), os.path.abspath(p)) for p in paths]
    all_names = names(styles)
    clashes = sorted({n for n in all_names if all_names.count(n) > 1})
    if clashes:
        raise ValueError(
            f"Several style images map to the same name(s) {clashes}; "
            "rename the files so each style has its own name.")
    return styles


def rename_styles(styles, renames):
    """Returns a copy of `styles` with names changed by `renames`.

    Args:
        styles: A `Style` list.
        renames: Dict mapping old names to new ones. Names may be swapped
            (`{"a": "b", "b": "a"}`).

    Raises:
        ValueError: On an unknown old name, a bad new name, or a new name
            that another style keeps (names ignore case for this).
    """
    check_known(styles, list(renames), "rename")
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
