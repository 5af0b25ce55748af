"""Runs a multi-style training job: data, targets, fit, checkpoints, export.

`train(TrainConfig(...))` is what `multistyle-train` calls; it is usable
from Python as well.
"""

import dataclasses
import json
import os

from absl import logging
import keras
import numpy as np

from multistyle import atomic_files
from multistyle.training import checkpoint
from multistyle.training import data
from multistyle import image_io
from multistyle import style_set
from multistyle.loss import style_targets
from multistyle.training import summary_writer
from multistyle.training import trainer as trainer_lib
from multistyle.training import callbacks as training_callbacks
from multistyle.network import transformer_net
from multistyle.loss import vgg_features
from multistyle.training import warm_start

MODEL_FILENAME = warm_start.MODEL_FILENAME
_CONFIG_FILENAME = "train_config.json"
_NUM_SAMPLES = 3


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run (the CLI flags, typed)."""

    content: str
    styles: list
    model_dir: str
    holdout_every: int = 0
    image_size: int = 256
    # Photos are resized to a random short side in [image_size,
    # max_photo_size] before cropping (0: always image_size), so the
    # network learns strokes at the scale of larger photos.
    max_photo_size: int = 0
    style_image_size: int = 256
    batch_size: int = 16
    num_steps: int = 40000
    steps_per_checkpoint: int = 1000
    learning_rate: float = 1e-3
    # Steps of linear learning-rate warmup from 0 (each run or warm start).
    warmup_steps: int = 0
    # Learning rate at the last step, as a fraction of `learning_rate`,
    # reached by cosine decay after the warmup; 1.0 keeps it constant.
    final_learning_rate_fraction: float = 1.0
    # Clip each step's gradient to this global norm (0: no clipping).
    clip_norm: float = 0.0
    alpha: float = 1.0
    content_layers: tuple = vgg_features.DEFAULT_CONTENT_LAYERS
    style_layers: tuple = vgg_features.DEFAULT_STYLE_LAYERS
    content_weight: float = 1.0
    style_layer_weights: tuple = (1.0,)
    style_weight: float = 1.0
    style_coefficients: tuple = ()
    tv_weight: float = 0.0
    mixed_precision: bool = False
    jit_compile: bool = True
    vgg_weights: str = "imagenet"
    summary_every: int = 50
    seed: int = 0
    workers: int = 1
    # A model folder whose styles the run extends (see `finetune`); empty
    # when training from scratch.
    base_model: str = ""
    # A trained model folder whose whole network this run starts from (warm
    # start), with the same styles and alpha; empty: random initialization.
    init_from: str = ""

    def validate(self):
        """Checks values that need no file access; raises ValueError."""
        for name in ("image_size", "style_image_size", "batch_size",
                     "num_steps", "steps_per_checkpoint", "summary_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be at least 1. Received: "
                                 f"{getattr(self, name)}")
        if self.warmup_steps < 0 or self.clip_norm < 0:
            raise ValueError(
                "--warmup_steps and --clip_norm must not be negative. "
                f"Received: {self.warmup_steps} and {self.clip_norm}")
        if not 0.0 <= self.final_learning_rate_fraction <= 1.0:
            raise ValueError(
                "--final_learning_rate_fraction must be in [0, 1]. "
                f"Received: {self.final_learning_rate_fraction}")
        if self.max_photo_size and self.max_photo_size < self.image_size:
            raise ValueError(
                f"--max_photo_size={self.max_photo_size} must be 0 or at "
                f"least --image_size={self.image_size}.")
        if self.init_from and self.base_model:
            raise ValueError(
                "--init_from and --base_model exclude each other: "
                "--init_from continues training a whole model, "
                "--base_model adds styles to one.")
        if self.num_steps % self.steps_per_checkpoint:
            raise ValueError(
                f"--num_steps={self.num_steps} must be a multiple of "
                f"--steps_per_checkpoint={self.steps_per_checkpoint}.")
        deepest = max(vgg_features.num_poolings_before(n)
                      for n in (*self.content_layers, *self.style_layers)
                      if n.startswith("block"))
        if min(self.image_size, self.style_image_size) < 2 ** deepest:
            raise ValueError(
                f"--image_size and --style_image_size must be at least "
                f"{2 ** deepest} px: VGG-19 halves images {deepest} times "
                "before the deepest loss layer. Received: "
                f"{self.image_size} and {self.style_image_size}.")
        if len(self.style_layer_weights) not in (1, len(self.style_layers)):
            raise ValueError(
                f"--style_layer_weights needs 1 or {len(self.style_layers)} "
                f"values (one per style layer); got "
                f"{len(self.style_layer_weights)}.")


def learning_rate_schedule(config):
    """Linear warmup to `learning_rate`, then cosine decay to its
    `final_learning_rate_fraction` at `num_steps` (constant at 1.0)."""
    warmup = min(config.warmup_steps, config.num_steps - 1)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else config.learning_rate,
        decay_steps=max(config.num_steps - warmup, 1),
        alpha=config.final_learning_rate_fraction,
        warmup_target=config.learning_rate if warmup else None,
        warmup_steps=warmup)


def resolve_style_files(entries):
    """Expands style entries (files, folders, globs) into image paths."""
    paths = []
    for entry in entries:
        found = data.find_images(entry)
        if not found:
            raise ValueError(
                f"Style image not found: {entry}. Give image files, a "
                "folder of images or a glob.")
        paths.extend(found)
    return paths


def _sample_images(files, size):
    """A few fixed centre crops of content photos for TensorBoard."""
    samples = []
    for path in files:
        try:
            samples.append(data.center_crop(image_io.load_image(path), size))
        except image_io.ImageReadError:
            continue
        if len(samples) == _NUM_SAMPLES:
            break
    return image_io.to_float(np.stack(samples))


# What a resumed run must share with the run that wrote its checkpoints,
# with the value runs that predate the key stand for.
_RESUME_KEYS = {"styles": None, "alpha": None, "base_model": ""}


def _check_resume_config(model_dir, config_dict):
    """Refuses to resume a run whose styles or network differ."""
    path = os.path.join(model_dir, _CONFIG_FILENAME)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            previous = json.load(f)
        for key, default in _RESUME_KEYS.items():
            if previous.get(key, default) != config_dict[key]:
                raise ValueError(
                    f"--model_dir={model_dir} holds a run with a different "
                    f"--{key} ({previous.get(key)}); use a new --model_dir.")


def train(config, transformer=None, write_model=True, callbacks=()):
    """Trains (or resumes) a multi-style network as `config` says.

    Writes into `config.model_dir`: checkpoints, TensorBoard logs under
    `logs/`, and at the end `model.keras` plus `styles.json`.

    Args:
        config: A `TrainConfig`.
        transformer: Network to train instead of a fresh
            `build_transformer_net(len(styles), config.alpha)`; it must
            paint one style per style image, and only its trainable
            weights learn (`finetune` passes one with frozen convolutions).
        write_model: Whether to write `model.keras` and `styles.json` at
            the end (`finetune` writes its own).
        callbacks: Extra Keras callbacks for `fit()`.

    Returns:
        The trained transformer network (`keras.Model`).

    Raises:
        ValueError: On bad configuration or input files, with a message
            that says what to fix.
    """
    config.validate()
    style_files = resolve_style_files(config.styles)
    styles = style_set.styles_from_files(style_files)
    if config.style_coefficients and len(config.style_coefficients) != len(
            styles):
        raise ValueError(
            f"--style_coefficients has {len(config.style_coefficients)} "
            f"values but {len(styles)} style images were found.")
    for path in style_files:
        image_io.load_image(path)  # Fail now, not after an hour.
    if config.content.startswith(data.TFDS_PREFIX):
        content_files = []
        data.parse_tfds_source(config.content)
    else:
        content_files, _ = data.split_holdout(
            data.find_images(config.content), config.holdout_every)
        if not content_files:
            raise ValueError(
                f"No content images (jpg/png/webp/bmp) found in "
                f"{config.content}. Point --content at a folder of photos "
                "or use tfds:NAME.")

    os.makedirs(config.model_dir, exist_ok=True)
    config_dict = dataclasses.asdict(config)
    config_dict["styles"] = [s.source for s in styles]
    _check_resume_config(config.model_dir, config_dict)
    atomic_files.write_text(os.path.join(config.model_dir, _CONFIG_FILENAME),
                            json.dumps(config_dict, indent=2))

    keras.mixed_precision.set_global_policy(
        "mixed_bfloat16" if config.mixed_precision else "float32")
    if keras.backend.backend() == "tensorflow":
        # On other backends this would import TensorFlow just to seed it.
        keras.utils.set_random_seed(config.seed)
    vgg = vgg_features.VGGFeatures(config.vgg_weights)
    vgg.validate_layers(list(config.content_layers))
    vgg.validate_layers(list(config.style_layers))
    layer_weights = config.style_layer_weights * (
        len(config.style_layers) // len(config.style_layer_weights))
    logging.info("Computing style targets of %d paintings...", len(styles))
    grams = style_targets.cached_style_grams(
        style_files, config.style_image_size, vgg, config.style_layers,
        config.vgg_weights, config.model_dir)

    if transformer is None:
        transformer = transformer_net.build_transformer_net(
            len(styles), alpha=config.alpha)
    elif transformer_net.num_styles_of(transformer) != len(styles):
        raise ValueError(
            f"The network to train paints "
            f"{transformer_net.num_styles_of(transformer)} styles but "
            f"{len(styles)} style images were found.")
    model = trainer_lib.MultiStyleTrainer(
        transformer, vgg, grams,
        content_layers=config.content_layers,
        content_weight=config.content_weight,
        style_layer_weights={
            name: config.style_weight * w
            for name, w in zip(config.style_layers, layer_weights)},
        style_coefficients=np.asarray(
            config.style_coefficients or [1.0] * len(styles), np.float32),
        tv_weight=config.tv_weight)
    optimizer = keras.optimizers.Adam(
        learning_rate_schedule(config), clipnorm=config.clip_norm or None)
    model.compile(optimizer=optimizer, jit_compile=config.jit_compile)
    optimizer.build(model.trainable_variables)

    step = 0
    latest = checkpoint.latest(config.model_dir)
    if latest:
        # The flags, not the checkpoint, say the learning rate from now on:
        # the schedule is the config's, at the checkpoint's step.
        step = checkpoint.restore(latest, transformer, optimizer)
        logging.info("Resuming from %s (step %d).", latest, step)
    elif config.init_from:
        warm_start.load_initial_weights(transformer, config.init_from, styles)
        logging.info("Warm start from %s.", config.init_from)
    spc = config.steps_per_checkpoint
    initial_epoch = step // spc
    epochs = config.num_steps // spc

    if content_files:
        dataset = data.ImageFolderDataset(
            content_files, config.batch_size, config.image_size, len(styles),
            steps_per_epoch=spc, seed=config.seed, initial_epoch=initial_epoch,
            max_photo_size=config.max_photo_size, workers=config.workers)
        samples = _sample_images(content_files, config.image_size)
    else:
        dataset = data.tfds_dataset(
            config.content, config.batch_size, config.image_size, len(styles),
            seed=config.seed)
        samples = next(iter(dataset))[0][0].numpy()[:_NUM_SAMPLES]

    writer = summary_writer.SummaryWriter(
        os.path.join(config.model_dir, "logs"))
    callbacks = [
        training_callbacks.CheckpointCallback(config.model_dir, transformer,
                                              spc),
        training_callbacks.SummaryCallback(
            writer, transformer, samples, min(len(styles), 8), spc,
            every_n_steps=config.summary_every),
        training_callbacks.ProgressLogger(spc, config.num_steps),
        *callbacks,
    ]
    if initial_epoch < epochs:
        model.fit(dataset, epochs=epochs, initial_epoch=initial_epoch,
                  steps_per_epoch=spc, callbacks=callbacks, verbose=1)
    writer.close()
    if write_model:
        save_model(config.model_dir, transformer, styles, config_dict)
    return transformer


def save_model(directory, transformer, styles, config_dict):
    """Writes `model.keras` and `styles.json` atomically into `directory`.

    The network is saved in float32 whatever policy it was trained with.
    """
    if transformer.dtype_policy.name != "float32":
        weights = transformer.get_weights()
        transformer = transformer_net.build_transformer_net(
            len(styles), alpha=config_dict["alpha"], dtype="float32")
        transformer.set_weights(weights)
    model_path = os.path.join(directory, MODEL_FILENAME)
    atomic_files.atomic_write(model_path, transformer.save, suffix=".keras")
    style_set.save(os.path.join(directory, style_set.STYLES_FILENAME),
                   styles, config=config_dict)
    logging.info("Wrote %s and %s", model_path, style_set.STYLES_FILENAME)
