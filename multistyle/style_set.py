"""The ordered list of styles a model paints, stored as `styles.json`.

Style `i` of a model is row `i` of every gamma/beta table, so the names in
`styles.json` are what users type in `--weights=starry_night=0.7`.
"""

import dataclasses
import json
import os
import re

from multistyle import atomic_files

STYLES_FILENAME = "styles.json"
_FORMAT_VERSION = 1


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


def styles_from_files(paths):
    """Styles named after their files; raises ValueError on a name clash."""
    styles = [Style(style_name(p), os.path.abspath(p)) for p in paths]
    names = [s.name for s in styles]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(
            f"Several style images map to the same name(s) {clashes}; "
            "rename the files so each style has its own name.")
    return styles


def save(path, styles, config=None):
    """Writes `styles.json` atomically: styles in order plus the config."""
    payload = {
        "format_version": _FORMAT_VERSION,
        "styles": [dataclasses.asdict(s) for s in styles],
        "config": config or {},
    }
    atomic_files.write_text(path, json.dumps(payload, indent=2) + "\n")


def load(path):
    """Reads `styles.json`; returns `(styles, config)`."""
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"Cannot read style list {path}: {e}") from e
    styles = [Style(**s) for s in payload["styles"]]
    return styles, payload.get("config", {})
