"""Trains one network on many paintings with the perceptual loss.

`train(TrainConfig(...))` is what `multistyle-train` calls; it is usable
from Python as well. Each painting becomes a style, named after its file;
photos are painted in every style and the network learns from VGG-19
content and style losses (Johnson et al. 2016; Dumoulin et al. 2017),
from random weights or from a trained model's (`init_from`). Adding
styles to a trained model (`finetune`) uses the same loss.

Example:

>>> net = train(TrainConfig(content="photos/", styles=["starry_night.jpg"],
...                         model_dir="runs/mine",
...                         schedule=config_lib.Schedule(num_steps=2000)))
"""

import dataclasses

import numpy as np

from multistyle import errors
from multistyle.io import image_io
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from multistyle.training import config as config_lib
from multistyle.training import fit
from multistyle.training import trainer as trainer_lib


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainConfig(config_lib.RunConfig):
    """A run that trains a whole network on paintings (see `train`).

    Each field's help is in its metadata (`dataclasses.fields`).

    Raises:
        errors.ArgumentError: On a bad value, naming the field.
    """

    styles: tuple[str, ...] = dataclasses.field(metadata={"help": (
        "Style paintings: image files, folders or globs. Style names come "
        "from the file names.")})
    loss: config_lib.Loss = config_lib.Loss()
    network: config_lib.Network = config_lib.Network()
    devices: config_lib.Devices = config_lib.Devices()

    def __post_init__(self):
        if not self.styles:
            raise errors.ArgumentError(
                "{styles} needs at least one painting.", ("styles",))
        object.__setattr__(self, "styles", tuple(self.styles))
        self.loss.check_image_size(self.data, "image_size")


def train(config, callbacks=()):
    """Trains (or resumes) a multi-style network as `config` says.

    Writes into `config.model_dir` what `fit.fit` writes: checkpoints,
    TensorBoard logs, and at the end `model.keras` plus `styles.json`.

    Args:
        config: A `TrainConfig`.
        callbacks: Extra Keras callbacks for `fit()`.

    Returns:
        The trained transformer network (`keras.Model`).

    Raises:
        FileNotFoundError: If no style or content image is found.
        ValueError: On unreadable inputs or a `model_dir` that holds
            another run, naming the argument to fix.
    """
    style_files, styles = read_paintings(config.styles, config.loss)
    return fit.fit(
        config, styles, lambda: fit.new_network(config.network, styles),
        perceptual_trainer(config.loss, style_files, config.model_dir),
        devices=config.devices, init_from=config.network.init_from,
        callbacks=callbacks)


def read_paintings(entries, loss):
    """The paintings' files and styles, all readable.

    Args:
        entries: Image files, folders or globs.
        loss: The run's `config.Loss` (one `style_coefficients` value per
            painting, if any).

    Raises:
        FileNotFoundError: If an entry matches no image.
        ValueError: If a painting is unreadable, or the coefficients do
            not match the paintings.
    """
    files = []
    for entry in entries:
        found = image_io.find_images(entry)
        if not found:
            raise FileNotFoundError(
                f"Style image not found: {entry}. Give image files, a "
                "folder of images or a glob.")
        files.extend(found)
    styles = style_set.styles_from_files(files)
    if loss.style_coefficients and len(loss.style_coefficients) != len(
            styles):
        raise errors.ArgumentError(
            f"{{style_coefficients}} has {len(loss.style_coefficients)} "
            f"values but {len(styles)} style images were found.",
            ("style_coefficients",))
    for path in files:
        image_io.load_image(path)  # Fail now, not after an hour.
    return files, styles


def perceptual_trainer(loss, style_files, model_dir, vgg=None):
    """What makes the VGG-19 perceptual-loss trainer of `fit.fit`.

    Args:
        loss: A `config.Loss`.
        style_files: The paintings, one per style, in order.
        model_dir: Where their Gram matrices are cached.
        vgg: The `vgg_features.VGGFeatures` of `loss.vgg_weights` if one
            is built already; None builds it.

    Returns:
        A function of the network and the `distribution.Plan` that
        returns a `trainer.MultiStyleTrainer`.
    """

    def make(transformer, plan):
        nonlocal vgg
        vgg = vgg or vgg_features.VGGFeatures(loss.vgg_weights)
        vgg.validate_layers(list(loss.content_layers))
        vgg.validate_layers(list(loss.style_layers))
        grams = style_targets.cached_style_grams(
            style_files, loss.style_image_size, vgg, loss.style_layers,
            loss.vgg_weights, model_dir)
        layer_weights = loss.style_layer_weights * (
            len(loss.style_layers) // len(loss.style_layer_weights))
        num_styles = transformer_net.num_styles_of(transformer)
        return trainer_lib.MultiStyleTrainer(
            transformer, vgg, grams,
            content_layers=loss.content_layers,
            content_weight=loss.content_weight,
            style_layer_weights={
                name: loss.style_weight * w
                for name, w in zip(loss.style_layers, layer_weights)},
            style_coefficients=np.asarray(
                loss.style_coefficients or [1.0] * num_styles, np.float32),
            tv_weight=loss.tv_weight, droplet_weight=loss.droplet_weight,
            texture_weight=loss.texture_weight,
            texture_patch_size=loss.texture_patch_size,
            style_gradient_energies=style_targets.painting_gradient_energies(
                style_files, loss.style_image_size)
            if loss.texture_weight else None,
            gradient_replicas=plan.gradient_replicas)

    return make
