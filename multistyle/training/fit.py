"""The fit routine the entry points share: checkpoints, data, fit, model.

`perceptual.train`, `finetune.add_styles` and `distillation.distill` say
what trains (the network, the loss, the styles) and `fit` runs it: plan
the devices, record the config, restore a checkpoint (or warm start), fit
one epoch per checkpoint, and write the model folder.
"""

import json
import os
import sys

from absl import logging
import keras
import numpy as np

from multistyle import errors
from multistyle.io import atomic_files
from multistyle.io import image_io
from multistyle.model_folder import folder_io
from multistyle.network import transformer_net
from multistyle.training import callbacks as training_callbacks
from multistyle.training import checkpoint
from multistyle.training import config as config_lib
from multistyle.training import data
from multistyle.training import distribution
from multistyle.training import summary_writer
from multistyle.training import warm_start

CONFIG_FILENAME = "train_config.json"
_NUM_SAMPLES = 3
# Photos whose statistics are folded into norms that switch to fixed ones.
_NUM_CALIBRATION_PHOTOS = 8
# What a resumed run must share with the run that wrote its checkpoints,
# with the value runs that predate the key (or lack it) stand for.
_RESUME_KEYS = {"styles": None, "alpha": None, "base_model": "",
                "teacher": ""}


def fit(config, styles, network, trainer, *, devices=None, init_from="",
        recorded=None, output=None, callbacks=(), adaptive=False):
    """Trains (or resumes) a network and writes its model folder.

    Writes into `config.model_dir`: `train_config.json`, checkpoints,
    TensorBoard logs under `logs/`, and at the end `model.keras` plus
    `styles.json`.

    Args:
        config: The entry point's `config.RunConfig`.
        styles: The `style_set.Style`s the network learns, in the order of
            its style weights.
        network: Makes the network to train (called in the devices'
            scope); only its trainable weights learn.
        trainer: Makes the model `fit()` trains from the network and the
            `distribution.Plan`.
        devices: A `config.Devices`; None trains on one device.
        init_from: A model folder to warm start from.
        recorded: More keys for the recorded config (`teacher`).
        output: Maps the trained network and the recorded config to the
            `(network, styles, config)` to write; by default they and
            `styles`.
        callbacks: Extra Keras callbacks for `fit()`.
        adaptive: The `callbacks` set the learning rate and stop the run
            (`time_budget.TimeBudget`): the optimizer gets a constant
            learning rate for them to assign, `fit()` runs one epoch of
            `config.schedule.num_steps` steps, and neither checkpoints
            nor sample images are written (the run does not resume).

    Returns:
        The network written (`keras.Model`).

    Raises:
        FileNotFoundError: If no content photo is found.
        ValueError: On unreadable inputs or a `model_dir` that holds
            another run, naming the argument to fix.
    """
    plan = distribution.plan(devices, config.data.batch_size)
    logging.info("%s", plan.describe())  # Before JAX's first computation.
    content_files = _content_photos(config, plan)
    record = _record_config(config, styles, recorded, plan.is_chief)
    keras.mixed_precision.set_global_policy(config.schedule.dtype_policy)
    if keras.backend.backend() == "tensorflow":
        # On other backends this would import TensorFlow just to seed it.
        keras.utils.set_random_seed(config.schedule.seed)
    with plan.scope():
        transformer = network()
        model = _compiled(config.schedule, trainer(transformer, plan), plan,
                          adaptive)
        step = _restore_or_warm_start(config, model, styles, content_files,
                                      init_from)
        dataset, samples = _dataset(config, content_files, len(styles),
                                    step, plan)
        _fit(config, model, plan.distribute(dataset),
             None if adaptive else samples, step, callbacks, plan,
             checkpoints=not adaptive)
    written = (output(transformer, record) if output
               else (transformer, styles, record))
    if plan.is_chief:
        folder_io.write(config.model_dir, *written)
        logging.info("Wrote the model folder %s", config.model_dir)
    return written[0]


def new_network(network, styles):
    """A fresh network for `styles` as a `config.Network` says; its
    normalization, left empty, is `init_from`'s or 'instance'."""
    normalization = network.normalization or "instance"
    if network.init_from and not network.normalization:
        normalization = transformer_net.normalization_of(
            warm_start.read_matching_network(network.init_from, styles))
    return transformer_net.build_transformer_net(
        len(styles), alpha=network.alpha, normalization=normalization)


def learning_rate_schedule(schedule):
    """Linear warmup to `learning_rate`, then cosine decay to its
    `final_learning_rate_fraction` at `num_steps` (constant at 1.0), as a
    `config.Schedule` says."""
    warmup = min(schedule.warmup_steps, schedule.num_steps - 1)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else schedule.learning_rate,
        decay_steps=max(schedule.num_steps - warmup, 1),
        alpha=schedule.final_learning_rate_fraction,
        warmup_target=schedule.learning_rate if warmup else None,
        warmup_steps=warmup)


def _content_photos(config, plan):
    """The training photos' files; none for a tfds source."""
    if config.content.startswith(data.TFDS_PREFIX):
        data.parse_tfds_source(config.content)  # Checks the syntax.
        if plan.num_processes > 1:
            raise errors.ArgumentError(
                "A multi-host run reads its photos from a folder (each "
                "process its own rows); tfds sources are not split over "
                f"processes. Received: {{content:value}}={config.content}",
                ("content",))
        return []
    files, _ = image_io.split_holdout(
        image_io.find_images(config.content), config.data.holdout_every)
    if not files:
        raise errors.MissingArgumentFileError(
            f"No content images (jpg/png/webp/bmp) found in "
            f"{config.content}. Point {{content}} at a folder of photos or "
            "use tfds:NAME.", ("content",))
    return files


def _record_config(config, styles, recorded, write):
    """Writes `train_config.json` (if `write`: the chief), refusing to
    resume a different run; returns the config as recorded (flat, with
    the paintings' full paths)."""
    os.makedirs(config.model_dir, exist_ok=True)
    record = {**config_lib.flat(config), **(recorded or {}),
              "styles": [s.source for s in styles]}
    path = os.path.join(config.model_dir, CONFIG_FILENAME)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            previous = json.load(f)
        for key, default in _RESUME_KEYS.items():
            if previous.get(key, default) != record.get(key, default):
                raise errors.ArgumentError(
                    f"{{model_dir}} {config.model_dir} holds a run with a "
                    f"different {{{key}}} ({previous.get(key)}); use a new "
                    "{model_dir}.", ("model_dir", key))
    if write:
        atomic_files.write_text(path, json.dumps(record, indent=2))
    return record


def _compiled(schedule, model, plan, adaptive=False):
    """`model` compiled, its optimizer built (to restore); `adaptive`: with
    a constant learning rate that callbacks assign."""
    optimizer = keras.optimizers.Adam(
        float(schedule.learning_rate) if adaptive
        else learning_rate_schedule(schedule),
        clipnorm=schedule.clip_norm or None)
    model.compile(optimizer=optimizer,
                  jit_compile=schedule.jit_compile and plan.jit_compile)
    optimizer.build(model.trainable_variables)
    return model


def _restore_or_warm_start(config, model, styles, content_files, init_from):
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
    if init_from:
        folded = warm_start.load_initial_weights(
            model.transformer, init_from, styles,
            lambda: _sample_images(content_files, config.data.image_size,
                                   _NUM_CALIBRATION_PHOTOS))
        logging.info("Warm start from %s%s.", init_from,
                     f" (statistics folded into {', '.join(folded)})"
                     if folded else "")
    return 0


def _dataset(config, content_files, num_styles, step, plan):
    """The training batches from `step` on (this process's rows), and a few
    sample photos."""
    crops, seed = config.data, config.schedule.seed
    if content_files:
        spc = config.schedule.steps_per_checkpoint
        dataset = data.ImageFolderDataset(
            content_files, crops.batch_size, crops.image_size, num_styles,
            steps_per_epoch=spc, seed=seed, initial_epoch=step // spc,
            max_photo_size=crops.max_photo_size, workers=crops.workers,
            process_index=plan.process_index,
            num_processes=plan.num_processes)
        return dataset, _sample_images(content_files, crops.image_size)
    dataset = data.tfds_dataset(config.content, crops.batch_size,
                                crops.image_size, num_styles, seed=seed)
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
        raise errors.ArgumentError(
            "No readable content photo to take samples from (statistics "
            "folding needs a {content} folder).", ("content",))
    return image_io.to_float(np.stack(samples))


def _progress_bar():
    """Keras' progress bar (verbose 1) on a terminal or in a notebook.
    Written to a log file its redraws are noise; `ProgressLogger`'s lines
    say the same there."""
    return 1 if sys.stdout.isatty() or "ipykernel" in sys.modules else 0


def _fit(config, model, dataset, samples, step, callbacks, plan,
         checkpoints=True):
    """`fit()` from `step` to `num_steps`, one epoch per checkpoint. Only
    the chief writes checkpoints (if `checkpoints`) and summaries, with
    sample images only when the network runs on one device."""
    spc = config.schedule.steps_per_checkpoint
    num_steps = config.schedule.num_steps
    transformer = model.transformer
    num_styles = transformer_net.num_styles_of(transformer)
    callbacks = [training_callbacks.ProgressLogger(spc, num_steps),
                 *callbacks]
    writer = None
    if plan.is_chief:
        writer = summary_writer.SummaryWriter(
            os.path.join(config.model_dir, "logs"))
        if checkpoints:
            callbacks.append(training_callbacks.CheckpointCallback(
                config.model_dir, transformer, spc))
        callbacks += [
            training_callbacks.SummaryCallback(
                writer, transformer,
                samples if plan.num_devices == 1 else None,
                min(num_styles, 8), spc,
                every_n_steps=config.schedule.summary_every),
        ]
    try:
        if step < num_steps:
            model.fit(dataset, epochs=num_steps // spc,
                      initial_epoch=step // spc, steps_per_epoch=spc,
                      callbacks=callbacks, verbose=_progress_bar())
    finally:
        if writer is not None:
            writer.close()
