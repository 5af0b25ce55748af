"""Trains a multi-style transfer network with the VGG-19 perceptual loss.

`LossTermsTrainer` is what every trainer shares (`distillation` is the
other); `MultiStyleTrainer` is the perceptual-loss one.
"""

import keras
from keras import ops
import numpy as np

from multistyle.loss import losses
from multistyle.network import transformer_net


class LossTermsTrainer(keras.Model):
    """Base of the trainers: a transfer network and named loss terms.

    Subclasses set `LOSS_TERMS` and define `loss_terms(images,
    style_weights, stylized)`, a dict of per-example losses by those
    names; their batch means add up to the loss, and each is a metric.
    Only `transformer` has trainable weights; save and export it alone.

    `gradient_replicas`: how many replicas' gradients the distribution
    strategy adds up each step (tf.distribute's `num_replicas_in_sync`,
    see `distribution.Plan`); the loss is divided by it, so the sum is the
    gradient of the global batch's mean. 1 on one device and on JAX.
    """

    LOSS_TERMS = ()

    def __init__(self, transformer, gradient_replicas=1, **kwargs):
        super().__init__(**kwargs)
        self.transformer = transformer
        self.gradient_replicas = int(gradient_replicas)
        self.loss_trackers = {term: keras.metrics.Mean(name=term)
                              for term in self.LOSS_TERMS}

    def call(self, inputs, training=False):
        images, style_weights = inputs
        return self.transformer([images, style_weights], training=training)

    def loss_terms(self, images, style_weights, stylized):
        raise NotImplementedError

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        images, style_weights = x
        terms = self.loss_terms(images, style_weights, y_pred)
        total = 0.0
        for name, per_example in terms.items():
            value = ops.mean(per_example)
            self.loss_trackers[name].update_state(value)
            total = total + value
        return total / self.gradient_replicas

    @property
    def metrics(self):
        return super().metrics + list(self.loss_trackers.values())


class MultiStyleTrainer(LossTermsTrainer):
    """Wraps a transfer network with a frozen VGG-19 loss for `fit()`.

    The loss is computed in `compute_loss` through the public Keras API, so
    `fit()` works unchanged on the TensorFlow and JAX backends and under
    Keras' distribution APIs. Each batch holds `(images, style_weights)`;
    a one-hot row trains that style, so one batch mixes many styles. The
    style loss compares the output's Gram matrices with the weighted mix of
    the style targets, which equals the target itself for one-hot rows.

    Reference: Johnson, Alahi & Fei-Fei, "Perceptual Losses for Real-Time
    Style Transfer and Super-Resolution", ECCV 2016.

    Args:
        transformer: Network from `transformer_net.build_transformer_net`.
        vgg: A `vgg_features.VGGFeatures`.
        style_grams: Dict mapping each style layer name to a float32 array
            `(num_styles, channels, channels)` of target Gram matrices.
        content_layers: VGG layer names for the content loss.
        content_weight: Weight of the content loss.
        style_layer_weights: Dict mapping style layer name to its weight.
        style_coefficients: Per-style multipliers of the style loss,
            `(num_styles,)`, for styles that need more or less strength.
        tv_weight: Weight of the total variation loss.
        droplet_weight: Weight of the droplet loss, the mean over the
            conditional norms of `losses.droplet_loss` of their inputs
            (0: off). The norms' inputs come from the same pass of the
            network as the stylized images.
        texture_weight: Weight of `losses.texture_loss` (0: off).
        texture_patch_size: Its `patch_size` (0: the whole crop).
        style_gradient_energies: `(num_styles,)` `losses.gradient_energy`
            of each style's painting, the texture loss's targets (mixed
            by the style weights); needed when `texture_weight` is set.
    """

    LOSS_TERMS = ("content_loss", "style_loss", "tv_loss", "droplet_loss",
                  "texture_loss")

    def __init__(self, transformer, vgg, style_grams, content_layers,
                 content_weight, style_layer_weights, style_coefficients,
                 tv_weight, droplet_weight=0.0, texture_weight=0.0,
                 texture_patch_size=0, style_gradient_energies=None,
                 **kwargs):
        super().__init__(transformer, **kwargs)
        self.content_layers = list(content_layers)
        self.style_layers = list(style_layer_weights)
        if sorted(style_grams) != sorted(self.style_layers):
            raise ValueError(
                f"Style targets cover layers {sorted(style_grams)} but the "
                f"loss uses {sorted(self.style_layers)}.")
        # The content pass stops at the deepest content layer; the pass on
        # the stylized images goes as deep as any loss needs.
        self.content_features = vgg.extractor(self.content_layers)
        self.loss_features = vgg.extractor(
            sorted(set(self.content_layers) | set(self.style_layers),
                   key=vgg.layer_names.index))
        self.content_weight = float(content_weight)
        self.style_layer_weights = {k: float(v)
                                    for k, v in style_layer_weights.items()}
        self.tv_weight = float(tv_weight)
        self.droplet_weight = float(droplet_weight)
        self.texture_weight = float(texture_weight)
        self.texture_patch_size = int(texture_patch_size)
        if self.texture_weight and style_gradient_energies is None:
            raise ValueError("`texture_weight` needs the paintings' "
                             "`style_gradient_energies`.")
        self.style_gradient_energies = None
        if self.texture_weight:
            self.style_gradient_energies = self.add_weight(
                name="style_gradient_energies",
                shape=np.shape(style_gradient_energies),
                initializer=keras.initializers.Constant(
                    style_gradient_energies),
                trainable=False, dtype="float32", autocast=False)
        self.norm_probe = (transformer_net.norm_probe_model(transformer)
                           if self.droplet_weight else None)
        self.style_grams = {
            name: self.add_weight(
                name=f"{name}_style_gram", shape=np.shape(gram),
                initializer=keras.initializers.Constant(gram),
                trainable=False, dtype="float32", autocast=False)
            for name, gram in style_grams.items()}
        self.style_coefficients = self.add_weight(
            name="style_coefficients", shape=np.shape(style_coefficients),
            initializer=keras.initializers.Constant(style_coefficients),
            trainable=False, dtype="float32", autocast=False)

    def call(self, inputs, training=False):
        """The stylized images; with the droplet loss on, a list of them
        and what each conditional norm normalized."""
        if self.norm_probe is None:
            return super().call(inputs, training=training)
        return self.norm_probe(inputs, training=training)

    def loss_terms(self, images, style_weights, stylized):
        """Returns per-example weighted content, style, TV and droplet
        losses; `stylized` is what `call` returned."""
        norm_inputs = []
        if self.norm_probe is not None:
            stylized, *norm_inputs = stylized
        style_weights = ops.cast(style_weights, "float32")
        targets = self.content_features(images)
        features = self.loss_features(stylized)
        content = sum(
            losses.content_loss(features[name],
                                ops.stop_gradient(targets[name]))
            for name in self.content_layers)
        style = 0.0
        for name, weight in self.style_layer_weights.items():
            target_gram = ops.einsum("bs,sij->bij", style_weights,
                                     self.style_grams[name])
            style = style + weight * losses.style_loss(features[name],
                                                       target_gram)
        coefficients = ops.matmul(style_weights, self.style_coefficients)
        return {
            "content_loss": self.content_weight * content,
            "style_loss": coefficients * style,
            "tv_loss": self.tv_weight * losses.total_variation_loss(stylized),
            "droplet_loss": self._droplet_loss(norm_inputs, images),
            "texture_loss": self._texture_loss(stylized, style_weights),
        }

    def _texture_loss(self, stylized, style_weights):
        """Weighted texture loss, `(batch,)` (zeros when off)."""
        if self.style_gradient_energies is None:
            return ops.zeros((ops.shape(stylized)[0],))
        targets = ops.matmul(style_weights, self.style_gradient_energies)
        return self.texture_weight * losses.texture_loss(
            stylized, targets, self.texture_patch_size)

    def _droplet_loss(self, norm_inputs, images):
        """Weighted mean droplet loss of the norms' inputs, `(batch,)`
        (zeros when off)."""
        if not norm_inputs:
            return ops.zeros((ops.shape(images)[0],))
        return self.droplet_weight * sum(
            losses.droplet_loss(x) for x in norm_inputs) / len(norm_inputs)
