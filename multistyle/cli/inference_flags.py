"""Flags of the tools that apply a trained model (stylize, grid, video,
serve), defined once so that the tools can share one process."""

from absl import flags

from multistyle.inference import networks
from multistyle.inference import stroke_scale
from multistyle.inference import style_choice as style_choice_lib
from multistyle.inference import style_masks
from multistyle.model_folder import presets

MODEL = flags.DEFINE_string(
    "model", None,
    "Model folder, from multistyle-train (model.keras) or multistyle-export "
    "(SavedModel, TFLite), or the name of a model that ships with "
    f"multistyle (a preset, e.g. {presets.DEFAULT_PRESET}_lite); default: "
    f"{presets.DEFAULT_PRESET}. Its styles.json names the styles.")
INPUT = flags.DEFINE_string(
    "input", None,
    "Photo to paint: an image file, a folder (searched recursively), a "
    "quoted glob such as 'photos/*.jpg', or - for stdin; default: the "
    "sample photo that ships with multistyle. For multistyle-video: the "
    "video file (required).")

OUTPUT = flags.DEFINE_string(
    "output", None,
    "Where to write: an image file (the format follows the extension), a "
    "folder when --input is a folder or glob, or - for a PNG on stdout. "
    "Default: stylized.jpg, stylized/, grid.jpg or stylized.mp4 in the "
    "current folder.")
PRECISION = flags.DEFINE_enum(
    "precision", "float32", list(networks.PRECISIONS),
    "Compute precision. bfloat16 runs the Keras network about 2x faster on "
    "CPUs with AMX/AVX512-BF16 and on GPUs, within a few uint8 levels of "
    "float32 (needs model.keras in the model folder).")
PRESERVE_COLOR = flags.DEFINE_bool(
    "preserve_color", False,
    "Keep the photo's colours; take only the luminance from the style.")
WEIGHTS = flags.DEFINE_list(
    "weights", None,
    "Style mix: one value per style (0.5,0.5,0,...) or name=value pairs "
    "(starry_night=0.7,great_wave=0.3; other styles get 0).")
STYLE = flags.DEFINE_string(
    "style", None,
    "A single style, by name or index. Default (without --weights): the "
    "first style.")
NORMALIZE = flags.DEFINE_bool(
    "normalize", True,
    "Scale --weights to sum to 1; --nonormalize uses them as given.")
MASK = flags.DEFINE_list(
    "mask", None,
    "Style mask(s), grayscale images of the input's size, painting "
    "--mask_styles in regions in one pass. One mask picks between two "
    "styles: white paints the first, black the second, gray blends (blur "
    "the mask for a soft transition). Several masks (comma-separated) give "
    "one per style: mask i is how much of style i each pixel gets, "
    "normalized per pixel (black in all masks: an equal share of each).")
MASK_STYLES = flags.DEFINE_string(
    "mask_styles", None,
    "The styles of the --mask regions, in order: names or indices "
    "separated by commas (starry_night,great_wave), or mixes separated by "
    "semicolons (starry_night;great_wave=0.5,the_scream=0.5).")
STROKE_SCALE = flags.DEFINE_float(
    "stroke_scale", 1.0,
    f"Stroke size: S > 1 paints bigger strokes (2: twice as big, and about "
    f"4x faster), S < 1 finer ones; {stroke_scale.MIN_STROKE_SCALE:g} to "
    f"{stroke_scale.MAX_STROKE_SCALE:g}. The photo is painted at 1/S of "
    "its size and enlarged, keeping its own fine detail.")
RUNTIME = flags.DEFINE_enum(
    "runtime", "auto", list(networks.RUNTIMES),
    "What runs the network. auto: for up to 16 photos in float32 the "
    "fastest file the folder has (model_int8.onnx: onnxruntime; the "
    "TFLite model: LiteRT; model.onnx), else (and for video) "
    "model.keras, or the SavedModel on the TensorFlow backend; masks take "
    "model.keras if there is one. Any other value forces that runtime.")

def model_dir():
    """`--model` (a folder or a preset's name) as a folder; by default the
    default preset's."""
    return presets.resolve_model_dir(MODEL.value or presets.DEFAULT_PRESET)


def input_path():
    """`--input`, by default the shipped sample photo."""
    return INPUT.value or presets.sample_photo()


def style_choice(style_names, keyframes=None):
    """The style flags resolved (`style_choice.resolve`): at most one of
    --weights, --style, --mask with --mask_styles, or `keyframes` (a
    tool's --keyframes)."""
    return style_choice_lib.resolve(
        style_names, weights=WEIGHTS.value, style=STYLE.value,
        mask=MASK.value, mask_styles=MASK_STYLES.value, keyframes=keyframes,
        normalize=NORMALIZE.value)


def weights(choice):
    """The weights to paint with: the vector of a `StyleChoice`, or for
    --mask the masks with their regions' mixes (`style_masks.StyleMasks`,
    uint8 masks: each tile's weights are made from them as it is
    painted)."""
    if choice.mask_mixes is None:
        return choice.weights
    return style_masks.load_masks(MASK.value, choice.mask_mixes)


def style_summary(choice, style_names, keyframes=None):
    """The --json summary's `styles`: `{name: weight}` of a mix, the
    masks with their styles, or a tool's --keyframes."""
    if choice.argument == "keyframes":
        return {"keyframes": keyframes}
    if choice.argument == "mask":
        return {"masks": MASK.value, "mask_styles": MASK_STYLES.value}
    return {name: round(float(w), 6)
            for name, w in zip(style_names, choice.weights) if w}
