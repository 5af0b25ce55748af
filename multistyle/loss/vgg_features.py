"""Frozen VGG-19 that maps images to named feature maps for the losses."""

import keras
from keras import ops

from multistyle.loss import vgg_weights

DEFAULT_STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1",
                        "block4_conv1", "block5_conv1")
DEFAULT_CONTENT_LAYERS = ("block4_conv2",)
# Caffe preprocessing of the original VGG weights: BGR means, in [0, 255].
_BGR_MEAN = (103.939, 116.779, 123.68)


def caffe_preprocess(images):
    """Converts float RGB in [0, 1] (NHWC) to VGG's caffe input (BGR, 0-255,
    mean-subtracted); the one place where this conversion happens."""
    bgr = ops.flip(ops.cast(images, "float32") * 255.0, axis=-1)
    return bgr - ops.convert_to_tensor(_BGR_MEAN, dtype="float32")


def _conv_layer_names(vgg):
    return [layer.name for layer in vgg.layers
            if isinstance(layer, keras.layers.Conv2D)]


def num_poolings_before(layer_name):
    """How many 2x2 max-poolings precede a VGG layer (`block4_conv2` -> 3)."""
    return int(layer_name.split("_")[0][len("block"):]) - 1


class VGGFeatures:
    """A frozen VGG-19 returning the feature maps of chosen layers.

    Each feature extractor runs the network only as deep as its deepest
    requested layer. All extractors share one set of weights.

    Args:
        weights: `"imagenet"`, a weights file path (see
            `vgg_weights.load_vgg19_weights`), or None for random weights
            (tests that only need shapes).

    Example:

    >>> vgg = VGGFeatures(weights=None)
    >>> extract = vgg.extractor(["block1_conv1", "block2_conv1"])
    >>> feats = extract(images)  # {"block1_conv1": ..., "block2_conv1": ...}
    """

    def __init__(self, weights="imagenet"):
        self.model = keras.applications.VGG19(
            include_top=False, weights=None, input_shape=(None, None, 3))
        if weights is not None:
            vgg_weights.load_vgg19_weights(self.model, weights)
        self.model.trainable = False
        self.layer_names = _conv_layer_names(self.model)

    def validate_layers(self, layer_names):
        """Raises ValueError naming any layer that is not a VGG-19 conv."""
        unknown = [n for n in layer_names if n not in self.layer_names]
        if unknown or not layer_names:
            raise ValueError(
                f"Unknown VGG-19 layer(s) {unknown or '(none given)'}. "
                f"Choose from: {', '.join(self.layer_names)}")

    def extractor(self, layer_names):
        """Returns a frozen `keras.Model` mapping RGB [0, 1] images to a
        dict of the named layers' features (float, NHWC)."""
        self.validate_layers(layer_names)
        images = keras.Input((None, None, 3), name="images")
        x = caffe_preprocess(images)
        last = max(self.layer_names.index(n) for n in layer_names)
        outputs = {}
        for layer in self.model.layers[1:]:
            x = layer(x)
            if layer.name in layer_names:
                outputs[layer.name] = x
            if layer.name == self.layer_names[last]:
                break
        extractor = keras.Model(images, outputs,
                                name=f"vgg19_to_{self.layer_names[last]}")
        extractor.trainable = False
        return extractor
