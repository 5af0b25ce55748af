"""The evaluation's report: a JSON summary and a Markdown table.

One row per style and the mean over styles, with our network's VGG-19
losses (`evaluate.py`), the pixel measures (`painting_measures.py`) and
the near-white pixels it added; optionally a peer's numbers beside ours,
painted from the same photos and paintings. Every measure is defined
under the table, so the report reads on its own.
"""

import dataclasses
import functools
import json
import os

import numpy as np

from multistyle.evaluation import evaluate
from multistyle.evaluation import painting_measures
from multistyle.io import atomic_files


@dataclasses.dataclass
class PainterScores:
    """One painter's `StyleScore`s and its mean time per photo."""

    name: str
    scores: list
    seconds_per_image: float


# (column header, `StyleScore` field), in the table's order.
_COLUMNS = (("content loss", "content_loss"),
            ("style loss", "style_loss"),
            ("reference content", "reference_content_loss"),
            ("reference style", "reference_style_loss"),
            ("texture", "texture_energy"),
            ("photo texture", "photo_texture_energy"),
            ("colour", "colour_distance"),
            ("white px", "white_fraction"),
            ("painting white px", "painting_white_fraction"))
# The peer's columns, after ours.
_PEER_COLUMNS = (("content", "content_loss"), ("style", "style_loss"),
                 ("texture", "texture_energy"),
                 ("colour", "colour_distance"),
                 ("white px", "white_fraction"))
_PERCENT = ("white_fraction", "painting_white_fraction")
# Fields whose mean over styles goes into the JSON summary.
_MEANS = ("content_loss", "style_loss", "texture_energy",
          "photo_texture_energy", "colour_distance", "white_fraction")

DEFINITIONS = (
    "content loss: VGG-19 feature error of the painted photo against the "
    "photo, relative (0: the photo itself).",
    "style loss: Gram matrix error against the painting, relative, summed "
    "over the style layers (table below).",
    "reference content, reference style: the same losses of photos painted "
    "by pixel optimization (Gatys et al.), when measured.",
    "texture: mean Sobel gradient magnitude of the luminance "
    "(0.299 R + 0.587 G + 0.114 B) of the painted photo divided by that of "
    "the painting; 1: as much fine texture as the painting, 0: flat. "
    "photo texture: the same of the unpainted photo.",
    "colour: sliced Wasserstein distance between the CIE Lab pixel "
    f"distributions ({painting_measures.NUM_DIRECTIONS} fixed directions), "
    "painted photo to painting divided by photo to painting; 1: the "
    "photo's colours unchanged, 0: the painting's palette.",
    "white px: share of pixels painted near-white (every channel at least "
    f"{evaluate.WHITE_LEVEL}) where the photo is not, in %; blobs on "
    "highlights show here. painting white px: share of near-white pixels "
    "in the painting.",
)


def summary(painter):
    """One painter's numbers for report.json: its time per photo, the mean
    over styles of each measure (`mean_<field>`), and every style's
    scores."""
    scores = painter.scores
    means = {f"mean_{key}": evaluate.mean_score(scores, key)
             for key in _MEANS}
    return {"seconds_per_image": painter.seconds_per_image,
            **means,
            "mean_style_loss_by_layer": evaluate.mean_style_loss_by_layer(
                scores),
            "styles": [dataclasses.asdict(s) for s in scores]}


def json_report(settings, ours, peer=None):
    """The whole of report.json: the settings, our `summary` at the top
    level and the peer's under `peer` (with its `name`)."""
    document = {"settings": settings, **summary(ours)}
    if peer:
        document["peer"] = {"name": peer.name, **summary(peer)}
    return document


def _number(value, key=""):
    if not np.isfinite(value):
        return "n/a"
    return f"{100 * value:.2f}%" if key in _PERCENT else f"{value:.3f}"


def _cells(value_of, columns):
    return [_number(value_of(key), key) for _, key in columns]


def markdown_table(scores, peer=None):
    """The table's lines, a row per style and the mean over styles, then
    the definitions of the measures.

    Args:
        scores: Our network's `StyleScore`s, one per style.
        peer: `PainterScores` of a peer on the same photos and styles (in
            the same order), in columns beside ours; or None.

    Returns:
        A list of Markdown lines.
    """
    header = [name for name, _ in _COLUMNS]
    if peer:
        header += [f"peer {name}" for name, _ in _PEER_COLUMNS]
    lines = ["| style | " + " | ".join(header) + " |",
             "|---|" + "---:|" * len(header)]
    peer_scores = peer.scores if peer else [None] * len(scores)
    for ours, theirs in zip(scores, peer_scores):
        cells = _cells(functools.partial(getattr, ours), _COLUMNS)
        if theirs is not None:
            cells += _cells(functools.partial(getattr, theirs),
                            _PEER_COLUMNS)
        lines.append(f"| {ours.name} | " + " | ".join(cells) + " |")
    cells = _cells(functools.partial(evaluate.mean_score, scores), _COLUMNS)
    if peer:
        cells += _cells(functools.partial(evaluate.mean_score, peer.scores),
                        _PEER_COLUMNS)
    lines.append("| **mean** | " + " | ".join(cells) + " |")
    lines += [""] + [f"- {text}" for text in DEFINITIONS]
    if peer:
        lines.append(f"- peer columns: the same measures of {peer.name}, "
                     "painting the same photos from the same paintings.")
    return lines


def markdown_report(ours, settings, grid_file=None, peer=None,
                    sheet_file=None):
    """The evaluation as a Markdown table, with the settings used and the
    definitions of the measures.

    Args:
        ours: Our network's `PainterScores`.
        settings: `{name: value}` listed above the table.
        grid_file: A sheet of photos in every style to show, or None.
        peer: A peer's `PainterScores` on the same photos and styles (in
            the same order), shown beside ours; or None.
        sheet_file: The side-by-side sheet with the peer to show (with
            `peer` only), or None.

    Returns:
        The Markdown text.
    """
    lines = ["# Evaluation", ""]
    lines += [f"- {key}: {value}" for key, value in settings.items()]
    lines.append("- network time per photo: "
                 f"{ours.seconds_per_image * 1000:.1f} ms")
    if peer:
        lines.append(f"- peer: {peer.name}, "
                     f"{peer.seconds_per_image * 1000:.1f} ms per photo")
    lines += ["", *markdown_table(ours.scores, peer)]
    by_layer = evaluate.mean_style_loss_by_layer(ours.scores)
    if by_layer:
        lines += ["", "Style loss by layer (mean over styles; the terms add "
                  "up to the style loss):", "",
                  "| " + " | ".join(by_layer) + " |",
                  "|" + "---:|" * len(by_layer),
                  "| " + " | ".join(_number(v) for v in by_layer.values())
                  + " |"]
    if grid_file:
        lines += ["", f"![styles]({grid_file})"]
    if peer and sheet_file:
        lines += ["", f"Painting, photo, ours, {peer.name}:", "",
                  f"![side by side]({sheet_file})"]
    return "\n".join(lines) + "\n"


def write(out, settings, ours, peer=None, grid_file=None, sheet_file=None):
    """Writes report.json (`json_report`) and report.md (`markdown_report`)
    into the folder `out`, each complete or not at all; returns the JSON
    document."""
    document = json_report(settings, ours, peer)
    atomic_files.write_text(os.path.join(out, "report.json"),
                            json.dumps(document, indent=2) + "\n")
    atomic_files.write_text(
        os.path.join(out, "report.md"),
        markdown_report(ours, settings, grid_file, peer, sheet_file))
    return document
