"""Runs a multi-style training job: data, targets, fit, checkpoints, model.

`train(TrainConfig(...))` is what `multistyle-train` calls; it is usable
from Python as well. It reads as its steps: check the inputs, record the
config, build the loss network and the style targets, build and compile
the trainer, restore a checkpoint (or warm start), fit, write the model
folder.

Example:

>>> from multistyle.training import config
>>> net = train(config.TrainConfig(content="photos/",
...                                styles=["starry_night.jpg"],
...                                model_dir="runs/mine", num_steps=2000))
"""

import dataclasses
import json
import os
import sys

from absl import logging
import keras
import numpy as np

from multistyle.io import atomic_files
from multistyle.io import image_io
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from multistyle.training import callbacks as training_callbacks
from multistyle.training import checkpoint
from multistyle.training import data
from multistyle.training import distribution
from multistyle.training import distillation
from multistyle.training import summary_writer
from multistyle.training import trainer as trainer_lib
from multistyle.training import warm_start

CONFIG_FILENAME = "train_config.json"
_NUM_SAMPLES = 3
# Photos whose statistics are folded into norms that switch to fixed ones.
_NUM_CALIBRATION_PHOTOS = 8
# What a resumed run must share with the run that wrote its checkpoints,
# with the value runs that predate the key stand for.
_RESUME_KEYS = {"styles": None, "alpha": None, "base_model": "",
                "teacher": ""}


def train(config, transformer=None, write_model=True, callbacks=()):
    """Trains (or resumes) a multi-style network as `config` says.

    Writes into `config.model_dir`: checkpoints, TensorBoard logs under
    `logs/`, and at the end `model.keras` plus `styles.json`.

    Args:
        config: A `config.TrainConfig`.
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
        FileNotFoundError: If no style or content image is found.
        ValueError: On a bad configuration or unreadable inputs, naming
            the `TrainConfig` field to fix.
    """
    config.validate()
    plan = distribution.plan(config)  # Before JAX's first computation.
    logging.info("%s", plan.describe())
    style_files, styles = _style_paintings(config)
    content_files = _content_photos(config, plan)
    config_dict = _record_config(config, styles, plan.is_chief)
    _set_precision_and_seed(config)
    with plan.scope():
        transformer = _transfer_network(config, transformer, styles)
        model = _compiled(config, _trainer(config, transformer, style_files,
                                           styles, plan), plan)
        step = _restore_or_warm_start(config, model, styles, content_files)
        dataset, samples = _dataset(config, content_files, len(styles), step,
                                    plan)
        _fit(config, model, plan.distribute(dataset), samples, step,
             callbacks, plan)
    if write_model and plan.is_chief:
        folder_io.write(config.model_dir, transformer, styles,
                        config_dict)
        logging.info("Wrote the model folder %s", config.model_dir)
    return transformer


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
    """Expands style entries (files, folders, globs) into image paths.

    Raises:
        FileNotFoundError: If an entry matches no image.
    """
    paths = []
    for entry in entries:
        found = image_io.find_images(entry)
        if not found:
            raise FileNotFoundError(
                f"Style image not found: {entry}. Give image files, a "
                "folder of images or a glob.")
        paths.extend(found)
    return paths


def _style_paintings(config):
    """The paintings' files and styles, all readable."""
    style_files = resolve_style_files(config.styles)
    styles = style_set.styles_from_files(style_files)
    if config.style_coefficients and len(config.style_coefficients) != len(
            styles):
        raise ValueError(
            f"`style_coefficients` has {len(config.style_coefficients)} "
            f"values but {len(styles)} style images were found.")
    for path in style_files:
        image_io.load_image(path)  # Fail now, not after an hour.
    return style_files, styles


def _content_photos(config, plan):
    """The training photos' files; none for a tfds source."""
    if config.content.startswith(data.TFDS_PREFIX):
        data.parse_tfds_source(config.content)  # Checks the syntax.
        if plan.num_processes > 1:
            raise ValueError(
                "A multi-host run reads its photos from a folder (each "
                "process its own rows); tfds sources are not split over "
                f"processes. Received: content={config.content}")
        return []
    files, _ = data.split_holdout(image_io.find_images(config.content),
                                  config.holdout_every)
    if not files:
        raise FileNotFoundError(
            f"No content images (jpg/png/webp/bmp) found in "
            f"{config.content}. Point `content` at a folder of photos or "
            "use tfds:NAME.")
    return files


def _record_config(config, styles, write):
    """Writes `train_config.json` (if `write`: the chief), refusing to
    resume a different run; returns the config as recorded (the
    paintings' full paths)."""
    os.makedirs(config.model_dir, exist_ok=True)
    config_dict = dataclasses.asdict(config)
    config_dict["styles"] = [s.source for s in styles]
    path = os.path.join(config.model_dir, CONFIG_FILENAME)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            previous = json.load(f)
        for key, default in _RESUME_KEYS.items():
            if previous.get(key, default) != config_dict[key]:
                raise ValueError(
                    f"`model_dir` {config.model_dir} holds a run with a "
                    f"different `{key}` ({previous.get(key)}); use a new "
                    "`model_dir`.")
    if write:
        atomic_files.write_text(path, json.dumps(config_dict, indent=2))
    return config_dict


def _set_precision_and_seed(config):
    keras.mixed_precision.set_global_policy(
        "mixed_bfloat16" if config.mixed_precision else "float32")
    if keras.backend.backend() == "tensorflow":
        # On other backends this would import TensorFlow just to seed it.
        keras.utils.set_random_seed(config.seed)


def _loss_network(config):
    vgg = vgg_features.VGGFeatures(config.vgg_weights)
    vgg.validate_layers(list(config.content_layers))
    vgg.validate_layers(list(config.style_layers))
    return vgg


def _normalization(config, styles):
    """The run's `normalization`: the config's, else `init_from`'s."""
    if config.normalization:
        return config.normalization
    if config.init_from:
        return transformer_net.normalization_of(
            warm_start.read_matching_network(config.init_from, styles,
                                             "warm start from"))
    return "instance"


def _transfer_network(config, transformer, styles):
    """A fresh network, or the given one if it paints the `styles`."""
    num_styles = len(styles)
    if transformer is None:
        return transformer_net.build_transformer_net(
            num_styles, alpha=config.alpha,
            normalization=_normalization(config, styles))
    if transformer_net.num_styles_of(transformer) != num_styles:
        raise ValueError(
            f"The network to train paints "
            f"{transformer_net.num_styles_of(transformer)} styles but "
            f"{num_styles} style images were found.")
    return transformer


def _trainer(config, transformer, style_files, styles, plan):
    """The model `fit()` trains: distillation from `config.teacher`, else
    the VGG-19 perceptual loss of the paintings."""
    if config.teacher:
        teacher = warm_start.read_matching_network(config.teacher, styles,
                                                   "distill from")
        return distillation.DistillationTrainer(
            transformer, teacher, config.edge_weight,
            gradient_replicas=plan.gradient_replicas)
    vgg = _loss_network(config)
    grams = style_targets.cached_style_grams(
        style_files, config.style_image_size, vgg, config.style_layers,
        config.vgg_weights, config.model_dir)
    layer_weights = config.style_layer_weights * (
        len(config.style_layers) // len(config.style_layer_weights))
    num_styles = transformer_net.num_styles_of(transformer)
    return trainer_lib.MultiStyleTrainer(
        transformer, vgg, grams,
        content_layers=config.content_layers,
        content_weight=config.content_weight,
        style_layer_weights={
            name: config.style_weight * w
            for name, w in zip(config.style_layers, layer_weights)},
        style_coefficients=np.asarray(
            config.style_coefficients or [1.0] * num_styles, np.float32),
        tv_weight=config.tv_weight, droplet_weight=config.droplet_weight,
        texture_weight=config.texture_weight,
        style_gradient_energies=style_targets.painting_gradient_energies(
            style_files, config.style_image_size)
        if config.texture_weight else None,
        gradient_replicas=plan.gradient_replicas)


def _compiled(config, model, plan):
    """`model` compiled, its optimizer built (to restore)."""
    optimizer = keras.optimizers.Adam(
        learning_rate_schedule(config), clipnorm=config.clip_norm or None)
    model.compile(optimizer=optimizer,
                  jit_compile=config.jit_compile and plan.jit_compile)
    optimizer.build(model.trainable_variables)
    return model


def _restore_or_warm_start(config, model, styles, content_files):
    """Restores the newest checkpoint (returns its step), else warm starts
    from `init_from` if set (step 0), folding statistics on a few content
    photos where the run's norms fix what the model's measured."""
    latest = checkpoint.latest(config.model_dir)
    if latest:
        # The config, not the checkpoint, says the learning rate from now
        # on: the schedule is the config's, at the checkpoint's step.
        step = checkpoint.restore(latest, model.transformer, model.optimizer)
        logging.info("Resuming from %s (step %d).", latest, step)
        return step
    if config.init_from:
        folded = warm_start.load_initial_weights(
            model.transformer, config.init_from, styles,
            lambda: _sample_images(content_files or [], config.image_size,
                                   _NUM_CALIBRATION_PHOTOS))
        logging.info("Warm start from %s%s.", config.init_from,
                     f" (statistics folded into {', '.join(folded)})"
                     if folded else "")
    return 0


def _dataset(config, content_files, num_styles, step, plan):
    """The training batches from `step` on (this process's rows), and a few
    sample photos."""
    if content_files:
        dataset = data.ImageFolderDataset(
            content_files, config.batch_size, config.image_size, num_styles,
            steps_per_epoch=config.steps_per_checkpoint, seed=config.seed,
            initial_epoch=step // config.steps_per_checkpoint,
            max_photo_size=config.max_photo_size, workers=config.workers,
            process_index=plan.process_index,
            num_processes=plan.num_processes)
        return dataset, _sample_images(content_files, config.image_size)
    dataset = data.tfds_dataset(config.content, config.batch_size,
                                config.image_size, num_styles,
                                seed=config.seed)
    return dataset, next(iter(dataset))[0][0].numpy()[:_NUM_SAMPLES]


def _sample_images(files, size, count=None):
    """A few fixed centre crops of content photos (TensorBoard's
    samples, or `count` of them)."""
    samples = []
    for path in files:
        try:
            samples.append(data.center_crop(image_io.load_image(path), size))
        except (image_io.ImageReadError, FileNotFoundError):
            continue
        if len(samples) == (count or _NUM_SAMPLES):
            break
    if not samples:
        raise ValueError("No readable content photo to take samples from "
                         "(statistics folding needs a `content` folder).")
    return image_io.to_float(np.stack(samples))


def _progress_bar():
    """Keras' progress bar (verbose 1) on a terminal or in a notebook.
    Written to a log file its redraws are noise; `ProgressLogger`'s lines
    say the same there."""
    return 1 if sys.stdout.isatty() or "ipykernel" in sys.modules else 0


def _fit(config, model, dataset, samples, step, callbacks, plan):
    """`fit()` from `step` to `num_steps`, one epoch per checkpoint. Only
    the chief writes checkpoints and summaries, with sample images only
    when the network runs on one device."""
    spc = config.steps_per_checkpoint
    transformer = model.transformer
    num_styles = transformer_net.num_styles_of(transformer)
    callbacks = [training_callbacks.ProgressLogger(spc, config.num_steps),
                 *callbacks]
    writer = None
    if plan.is_chief:
        writer = summary_writer.SummaryWriter(
            os.path.join(config.model_dir, "logs"))
        callbacks += [
            training_callbacks.CheckpointCallback(config.model_dir,
                                                  transformer, spc),
            training_callbacks.SummaryCallback(
                writer, transformer,
                samples if plan.num_devices == 1 else None,
                min(num_styles, 8), spc, every_n_steps=config.summary_every),
        ]
    try:
        if step < config.num_steps:
            model.fit(dataset, epochs=config.num_steps // spc,
                      initial_epoch=step // spc, steps_per_epoch=spc,
                      callbacks=callbacks, verbose=_progress_bar())
    finally:
        if writer is not None:
            writer.close()
