"""Adds styles to a trained model by learning only their gamma/beta rows.

All that is style-specific in a conditional instance norm network is one
row of scale (gamma) and shift (beta) per norm layer. So a trained
network learns a new painting with every convolution frozen, by training
only the new style's rows: minutes instead of the hours of a full run, and
the styles it already paints stay exactly as they were (Dumoulin, Shlens
& Kudlur, "A Learned Representation for Artistic Style", ICLR 2017).

`add_styles` trains a network that paints only the new styles: the base
model's convolutions, copied and frozen, and new rows that start from the
blend of the base styles closest to each painting (`closest_blend`; or
the mean of the base rows), with the loss, checkpoints, resuming and
TensorBoard of any run (`fit`). With a `time_budget` the run plans its
steps for the deadline (`time_budget`); with `progress_every` it writes
`progress.json` and `preview.jpg` for a server (`progress_report`). The
result is a standard network whose tables are the base rows followed by
the new rows and whose convolutions are copies of the base's, bit for
bit. Its config, `AddStylesConfig`,
defaults to 2000 steps at learning rate 1e-2; the width is the base's.

Example:

>>> net = add_styles("m16", ["the_scream.jpg"], AddStylesConfig(
...     content="photos/", model_dir="m17"))  # m16's styles and the_scream.
"""

import dataclasses
import os
import time

from absl import logging
import keras
import numpy as np

from multistyle import errors
from multistyle.model_folder import folder_io
from multistyle.model_folder import presets
from multistyle.loss import style_targets
from multistyle.loss import vgg_features
from multistyle.model_folder import style_set
from multistyle.network import style_tables
from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm
from multistyle.training import closest_blend
from multistyle.training import config as config_lib
from multistyle.training import fit
from multistyle.training import perceptual
from multistyle.training import progress_report
from multistyle.training import time_budget


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddStylesConfig(config_lib.RunConfig):
    """A run that adds styles to a trained model (see `add_styles`).

    A few thousand gamma/beta values learn fast and tolerate a large
    step: 2000 steps at 1e-2 are the defaults here.

    Raises:
        errors.ArgumentError: On a bad value, naming the field.
    """

    schedule: config_lib.Schedule = config_lib.Schedule(
        num_steps=2000, learning_rate=1e-2)
    loss: config_lib.Loss = config_lib.Loss()
    adding: config_lib.Adding = config_lib.Adding()

    def __post_init__(self):
        self.loss.check_image_size(self.data, "image_size")


def build_new_style_net(base, num_new_styles, dtype="float32",
                        rows=None):
    """The network that learns new styles on top of a trained one.

    Args:
        base: A trained network from `transformer_net.build_transformer_net`.
        num_new_styles: How many styles to learn.
        dtype: Dtype policy of the new network (e.g. `mixed_bfloat16`).
        rows: The new styles' first rows, as `style_tables.style_tables`
            gives them; None: the mean of `base`'s rows.

    Returns:
        A network painting `num_new_styles` styles (its style weights have
        that many values) whose convolutions are frozen copies of `base`'s
        and whose gamma/beta rows, the only trainable weights, start from
        `rows`.

    Raises:
        ValueError: If `num_new_styles` is not positive or `base` is not a
            multistyle network.
    """
    if not isinstance(num_new_styles, int) or num_new_styles < 1:
        raise ValueError(
            "`num_new_styles` must be a positive integer. Received: "
            f"num_new_styles={num_new_styles}")
    net = style_tables.with_style_tables(
        base, style_tables.mean_style_rows(base, num_new_styles)
        if rows is None else rows, dtype=dtype)
    for layer in net.layers:
        layer.trainable = isinstance(layer, ConditionalInstanceNorm)
    return net


def _check_same_convolutions(base, trained, model_dir):
    for layer in trained.layers:
        if isinstance(layer, keras.layers.Conv2D) and not np.array_equal(
                layer.get_weights()[0],
                base.get_layer(layer.name).get_weights()[0]):
            raise errors.ArgumentError(
                f"The checkpoints in {model_dir} hold other convolutions "
                f"than the base model ({layer.name}); was the base model "
                "changed? Use a new {model_dir}.", ("model_dir",))


def add_styles(base_model, paintings, config, callbacks=()):
    """Learns new styles on top of a trained model, keeping its styles.

    Writes into `config.model_dir` what `fit.fit` writes, and at the end
    `model.keras` and `styles.json`: the base styles, then the new ones
    (`added_by_finetuning=True`). The config in `styles.json` is the base
    model's plus a `finetuning` list that records this run's config. With
    `config.adding.progress_every`, also `progress.json` and `preview.jpg`
    (`progress_report`); with `config.adding.time_budget`, the model is
    written that many seconds after the call, or sooner when the loss
    stops falling (`time_budget`; no checkpoints then).

    Args:
        base_model: The model folder to extend, or a shipped model's
            name.
        paintings: The paintings to learn (image files, folders or
            globs), one style each, named after its file.
        config: An `AddStylesConfig`.
        callbacks: Extra Keras callbacks for `fit()`.

    Returns:
        The extended network: `N + k` styles, where the first `N` rows of
        every table and all convolution weights equal the base's.

    Raises:
        FileNotFoundError: On a missing base model or painting.
        ValueError: On an unreadable base model or painting, a new style
            name the base model already has, or a `model_dir` that is the
            base model or holds another run.
    """
    start = time.monotonic()
    if not paintings:
        raise errors.ArgumentError(
            "{paintings} needs at least one painting.", ("paintings",))
    base_dir = os.path.abspath(
        presets.resolve_model_dir(base_model, argument="base_model"))
    if os.path.realpath(config.model_dir) == os.path.realpath(base_dir):
        raise errors.ArgumentError(
            f"{{model_dir}} {config.model_dir} is the base model; adding "
            "styles writes a new model folder.", ("model_dir",))
    report = None
    if config.adding.progress_every:
        report = progress_report.ProgressReport(
            config.model_dir, config.adding.progress_every, start)
        report.write("preparing")
    try:
        network = _add_styles(base_dir, paintings, config, callbacks,
                              start, report)
    except BaseException:
        if report is not None:
            report.write("failed")
        raise
    if report is not None:
        report.write("done")
    return network


def _add_styles(base_dir, paintings, config, callbacks, start, report):
    """`add_styles` once its arguments are checked."""
    base, base_styles, base_config = folder_io.read(base_dir)
    style_files, new_styles = perceptual.read_paintings(paintings,
                                                        config.loss)
    style_set.check_no_clashes(style_set.names(base_styles), new_styles)
    logging.info("Adding %d style(s) to the %d of %s.", len(new_styles),
                 len(base_styles), base_dir)
    shared = {}  # The VGG-19 of the closest blend, for the loss too.

    def network():
        num_styles = len(base_styles)
        weights = np.full((len(new_styles), num_styles), 1.0 / num_styles,
                          np.float32)
        rows = None
        if config.adding.init_rows == "closest_blend":
            shared["vgg"] = vgg_features.VGGFeatures(config.loss.vgg_weights)
            photo = (report.photo if report is not None
                     else progress_report.preview_photo())
            weights = _closest_blends(base, shared["vgg"], config,
                                      style_files, base_styles, photo)
            rows = style_tables.blended_style_rows(base, weights)
        if report is not None:
            report.preview(base, weights[0])
        return build_new_style_net(base, len(new_styles),
                                   config.schedule.dtype_policy, rows)

    def trainer(transformer, plan):
        return perceptual.perceptual_trainer(
            config.loss, style_files, config.model_dir,
            vgg=shared.get("vgg"))(transformer, plan)

    run_config, budget, progress = _budgeted(config, start, report)

    def output(trained, record):
        if progress is not None:
            progress.write("writing")
        if budget is not None:  # The steps taken, not the plan's bound.
            record = {**record, "num_steps": budget.step}
        _check_same_convolutions(base, trained, config.model_dir)
        return (style_tables.append_styles(
                    base, style_tables.style_tables(trained)),
                [*base_styles, *(dataclasses.replace(
                    s, added_by_finetuning=True) for s in new_styles)],
                {**base_config, "alpha": base.alpha,
                 "finetuning": [*base_config.get("finetuning", []), record]})

    return fit.fit(
        run_config, new_styles, network, trainer,
        recorded={"base_model": base_dir, "alpha": base.alpha},
        output=output,
        callbacks=[c for c in (budget, progress) if c is not None]
        + list(callbacks),
        adaptive=bool(config.adding.time_budget))


def _closest_blends(base, vgg, config, style_files, base_styles, photo):
    """`closest_blend.closest_blend` of each painting on `photo` (the
    preview's; logged)."""
    layers = list(config.loss.style_layers)
    grams = style_targets.cached_style_grams(
        style_files, config.loss.style_image_size, vgg, layers,
        config.loss.vgg_weights, config.model_dir)
    weights = closest_blend.closest_blend(
        base, photo, vgg.extractor(layers), grams)
    names = style_set.names(base_styles)
    for path, row in zip(style_files, weights):
        top = np.argsort(row)[::-1][:3]
        logging.info("%s starts from %s.", os.path.basename(path), " + ".join(
            f"{row[i]:.2f} {names[i]}" for i in top if row[i] > 0))
    return weights


def _budgeted(config, start, report):
    """The config `fit` runs, the `time_budget.TimeBudget` and the
    `progress_report.ProgressCallback` (None where off)."""
    budget = progress = None
    seconds = config.adding.time_budget
    if seconds:
        budget = time_budget.TimeBudget(
            start + seconds, config.schedule.learning_rate,
            reserve=time_budget.write_reserve(seconds))
        config = dataclasses.replace(config, schedule=dataclasses.replace(
            config.schedule, num_steps=time_budget.MAX_STEPS,
            steps_per_checkpoint=time_budget.MAX_STEPS))
    if report is not None:
        progress = progress_report.ProgressCallback(
            report, config.schedule.num_steps, budget)
    return config, budget, progress
