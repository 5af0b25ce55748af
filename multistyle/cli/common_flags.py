"""Flags shared by several multistyle command-line tools, defined once.

They are fields of `TrainConfig`, which gives their defaults and help
(see `config_flags`): evaluation and optimization use the training's loss
layers, VGG weights, photo size and held-out photos.
"""

from multistyle.cli import config_flags
from multistyle.training import config


def _define(name):
    return config_flags.define(config.TrainConfig, name, __name__)


VGG_WEIGHTS = _define("vgg_weights")
CONTENT_LAYERS = _define("content_layers")
STYLE_LAYERS = _define("style_layers")
IMAGE_SIZE = _define("image_size")
HOLDOUT_EVERY = _define("holdout_every")
