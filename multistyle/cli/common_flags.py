"""Flags shared by several multistyle command-line tools, defined once.

They are fields of the training configs' groups (`training.config`),
which give their defaults and help: evaluation and optimization use the
training's loss layers, VGG weights, photo size and held-out photos.
"""

from multistyle.cli import config_flags
from multistyle.training import config

VGG_WEIGHTS = config_flags.define(config.Loss, "vgg_weights", __name__)
CONTENT_LAYERS = config_flags.define(config.Loss, "content_layers", __name__)
STYLE_LAYERS = config_flags.define(config.Loss, "style_layers", __name__)
IMAGE_SIZE = config_flags.define(config.Data, "image_size", __name__)
HOLDOUT_EVERY = config_flags.define(config.Data, "holdout_every", __name__)
