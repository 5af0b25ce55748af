"""Writes a shipped model's card (README.md) from its files.

    python tools/write_model_card.py saved_models/NAME --sources=SOURCES.tsv \\
        --hardware="..." --notes="..."

Reads styles.json (styles and training config), the evaluation report
(evaluation/report.md and .json) and the paintings' SOURCES.tsv rows.
"""

import csv
import json
import os

from absl import app
from absl import flags

from multistyle.io import atomic_files
from multistyle.model_folder import folder_io

_SOURCES = flags.DEFINE_string("sources", None,
                               "SOURCES.tsv describing the paintings.")
_HARDWARE = flags.DEFINE_string("hardware", "", "Where it was trained.")
_TRAINING_TIME = flags.DEFINE_string("training_time", "",
                                     "Wall-clock training time.")
_NOTES = flags.DEFINE_string("notes", "", "Extra paragraph for the card.")
_EVAL_COMMAND = flags.DEFINE_string(
    "eval_command", "", "The command that produced evaluation/.")

_CONFIG_KEYS = ("init_from", "image_size", "max_photo_size",
                "style_image_size", "batch_size", "num_steps",
                "learning_rate", "warmup_steps",
                "final_learning_rate_fraction", "alpha", "normalization",
                "content_layers", "style_layers", "content_weight",
                "style_weight", "style_layer_weights", "tv_weight",
                "droplet_weight", "texture_weight", "texture_patch_size",
                "mixed_precision",
                "holdout_every", "teacher", "edge_weight")

# What a conditional norm computes, by its statistics.
_NORM_MEANING = {
    "instance": "`gamma[s] * (x - mean) / std + beta[s]`, mean and std of "
                "this photo's feature map (instance normalization)",
    "clipped": "`gamma[s] * (x - mean) / std + beta[s]`, mean and std of "
               "the feature map clipped at 3 standard deviations (three "
               "passes), so a few pixels cannot steer them",
    "fixed": "`gamma[s] * x + beta[s]`: no measured statistics; the "
             "expected ones are folded into gamma and beta",
}

# Files a model folder may have beside its SavedModel, and their card line.
_OPTIONAL_FILES = {
    "model_float16.tflite": (
        "- `model_float16.tflite`: `serving_default` for LiteRT, float16 "
        "weights (what `multistyle-stylize` runs for a photo where "
        "onnxruntime is missing)."),
    "model.onnx": (
        "- `model.onnx`, `model_masks.onnx`: the two signatures as ONNX "
        "models (`serving_default`, and `serving_masks` with per-pixel "
        "weights), same inputs and outputs, for onnxruntime "
        "(`multistyle-export --onnx`)."),
    "model_int8.onnx": (
        "- `model_int8.onnx`: `serving_default` with int8 convolutions, "
        "calibrated on 32 training photos (`multistyle-export --onnx_only "
        "--quantize=int8`): what `multistyle-stylize` runs for a photo by "
        "default; its quality change and speed are in BENCHMARKS.md, "
        "\"Lean and int8 exports\"."),
}


def _optional_files(model_dir):
    return [line for name, line in _OPTIONAL_FILES.items()
            if os.path.exists(os.path.join(model_dir, name))]


def _portable(value):
    """A config value as the card shows it: no machine's absolute paths."""
    if not isinstance(value, str) or not os.path.isabs(value):
        return value
    relative = os.path.relpath(value)
    if not relative.startswith(os.pardir):
        return relative
    return f"{os.path.basename(os.path.normpath(value))} (a local run folder)"


def _painting_notes(sources_tsv):
    """basename -> ("Artist, Title, Year", "PD (...)") from SOURCES.tsv."""
    notes = {}
    with open(sources_tsv, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["set"] == "styles":
                work, _, licence = row["notes"].rpartition("; PD")
                notes[os.path.basename(row["local_file"])] = (
                    work.replace("|", "/"), f"PD{licence}".replace("|", "/"))
    return notes


def _layer_lines(model_dir):
    """The card's table of what each conditional norm computes."""
    from multistyle.network import transformer_net

    net = folder_io.read_network(model_dir)
    lines = ["| layers | each is a convolution, then |", "|---|---|"]
    groups = {}
    for norm in transformer_net.conditional_norm_layers(net):
        groups.setdefault(norm.statistics, []).append(
            norm.name.removesuffix("_norm"))
    lines += [f"| {', '.join(names)} | {_NORM_MEANING[statistics]} |"
              for statistics, names in groups.items()]
    return [
        f"Normalization `{net.normalization}`, width alpha {net.alpha}. "
        "`s` is the style; a blend mixes gamma and beta by the style "
        "weights.", "", *lines]


def _in_evaluation_folder(markdown, model_dir):
    """report.md's picture links, made relative to the model folder."""
    for name in os.listdir(os.path.join(model_dir, "evaluation")):
        markdown = markdown.replace(f"]({name})", f"](evaluation/{name})")
    return markdown


def _mean_line(report):
    """The means of every measure, ours and the peer's if measured."""
    def means(summary):
        return (f"content {summary['mean_content_loss']:.3f}, style "
                f"{summary['mean_style_loss']:.3f}, texture "
                f"{summary.get('mean_texture_energy', float('nan')):.3f}, "
                "colour "
                f"{summary.get('mean_colour_distance', float('nan')):.3f}, "
                "white pixels added "
                f"{100 * summary.get('mean_white_fraction', float('nan')):.2f}%")
    line = f"Means over the styles: {means(report)}."
    if "peer" in report:
        line += f" {report['peer']['name']}: {means(report['peer'])}."
    return line


def main(argv):
    model_dir = argv[1]
    name = os.path.basename(os.path.normpath(model_dir))
    styles, config = folder_io.read_styles(model_dir)
    notes = _painting_notes(_SOURCES.value)
    with open(os.path.join(model_dir, "evaluation", "report.json"),
              encoding="utf-8") as f:
        report = json.load(f)
    with open(os.path.join(model_dir, "evaluation", "report.md"),
              encoding="utf-8") as f:
        report_table = f.read().split("\n", 2)[2]
    lines = [
        f"# {name}", "",
        f"A multistyle network that paints {len(styles)} public-domain "
        "paintings and any blend of them (conditional instance "
        "normalization, Dumoulin et al. 2017).", "",
        "![every style on the sample photo](grid.jpg)", "",
        *(["![every style on a photo (NASA astronaut portrait, public "
           "domain)](grid_astronaut.jpg)", ""]
          if os.path.exists(os.path.join(model_dir, "grid_astronaut.jpg"))
          else []),
        _NOTES.value, "",
        "## Files", "",
        "- `saved_model.pb`, `variables/`, `assets/styles.txt`: TensorFlow "
        "SavedModel, signature `serving_default(images uint8 [b,H,W,3], "
        f"style_weights float32 [b,{len(styles)}]) -> stylized uint8`.",
        "- `model.keras`: the Keras network (to add styles with "
        "`multistyle-train --base_model`).",
        *_optional_files(model_dir),
        "- `styles.json`: style names in weight order, sources, training "
        "config.",
        "- `evaluation/`: the evaluation report.", "",
        "## Network", "",
        "Three convolutions down, five residual blocks, two up-sampling "
        "convolutions and an output convolution (Dumoulin et al. 2017), "
        "every one followed by a conditional norm:", "",
        *_layer_lines(model_dir), "",
        "## Styles", "",
        "| # | name | painting | licence |", "|---:|---|---|---|"]
    for i, style in enumerate(styles):
        work, licence = notes.get(os.path.basename(style.source), ("?", "?"))
        lines.append(f"| {i} | `{style.name}` | {work} | {licence} |")
    lines += [
        "", "## Training", "",
        "- Photos: BSDS500 (Berkeley Segmentation Dataset, Arbelaez et al., "
        "TPAMI 2010), every 10th photo held out for evaluation. BSDS500 is "
        "distributed for **non-commercial research and education**; this "
        "model was trained on it, so treat it accordingly.",
        "- Paintings: the public-domain works above (artists dead more than "
        "70 years, works before 1929).",
        f"- Hardware: {_HARDWARE.value}",
        f"- Training time: {_TRAINING_TIME.value}",
        "- Config:", ""]
    lines += [f"  - `{key}`: {_portable(config[key])}" for key in _CONFIG_KEYS
              if config.get(key) not in (None, "")]
    lines += [
        "", "## Evaluation", "",
        f"Reproduce with `{_EVAL_COMMAND.value}`.", "",
        "Content loss: `mean((F-P)^2)/mean(P^2)` of VGG-19 block4_conv2 "
        "features of the painted photo vs the photo; style loss: the sum "
        "over block1_conv1..block5_conv1 of `mean((G-A)^2)/mean(A^2)` of "
        "Gram matrices vs the painting's. Lower is better; the reference "
        "columns are pixel optimization (Gatys et al. 2016) of the same "
        "losses.", "", _in_evaluation_folder(report_table.strip(), model_dir),
        "", _mean_line(report), ""]
    atomic_files.write_text(os.path.join(model_dir, "README.md"),
                            "\n".join(lines))
    print(f"Wrote {model_dir}/README.md")


if __name__ == "__main__":
    flags.mark_flags_as_required(["sources"])
    app.run(main)
