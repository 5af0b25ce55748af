"""Adds styles to a trained model by learning only their gamma/beta rows.

All that is style-specific in a conditional instance norm network is one
row of scale (gamma) and shift (beta) per norm layer. So a trained
network learns a new painting with every convolution frozen, by training
only the new style's rows: minutes instead of the hours of a full run, and
the styles it already paints stay exactly as they were (Dumoulin, Shlens
& Kudlur, "A Learned Representation for Artistic Style", ICLR 2017).

The run trains a network that paints only the new styles: the base
model's convolutions, copied and frozen, and new rows that start from the
mean of the base rows. Training is `train.train`, so checkpoints,
resuming, TensorBoard and the loss are those of any run. The result is a
standard network whose tables are the base rows followed by the new rows
and whose convolutions are copies of the base's, bit for bit.

The defaults of such a run (2000 steps at learning rate 1e-2, the base
model's width) are `config.CONTEXT_DEFAULTS`.

Example:

>>> net = add_styles(config.TrainConfig(
...     content="photos/", styles=["the_scream.jpg"], model_dir="m17",
...     base_model="m16"))  # m17 paints m16's styles and the_scream.
"""

import dataclasses
import os

from absl import logging
import keras
import numpy as np

from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import style_tables
from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm
from multistyle.training import train as train_lib


def build_new_style_net(base, num_new_styles, dtype="float32"):
    """The network that learns new styles on top of a trained one.

    Args:
        base: A trained network from `transformer_net.build_transformer_net`.
        num_new_styles: How many styles to learn.
        dtype: Dtype policy of the new network (e.g. `mixed_bfloat16`).

    Returns:
        A network painting `num_new_styles` styles (its style weights have
        that many values) whose convolutions are frozen copies of `base`'s
        and whose gamma/beta rows, the only trainable weights, all start
        from the mean of `base`'s rows.

    Raises:
        ValueError: If `num_new_styles` is not positive or `base` is not a
            multistyle network.
    """
    if not isinstance(num_new_styles, int) or num_new_styles < 1:
        raise ValueError(
            "`num_new_styles` must be a positive integer. Received: "
            f"num_new_styles={num_new_styles}")
    net = style_tables.with_style_tables(
        base, style_tables.mean_style_rows(base, num_new_styles),
        dtype=dtype)
    for layer in net.layers:
        layer.trainable = isinstance(layer, ConditionalInstanceNorm)
    return net


def _check_same_convolutions(base, trained, model_dir):
    for layer in trained.layers:
        if isinstance(layer, keras.layers.Conv2D) and not np.array_equal(
                layer.get_weights()[0],
                base.get_layer(layer.name).get_weights()[0]):
            raise ValueError(
                f"The checkpoints in {model_dir} hold other convolutions "
                f"than the base model ({layer.name}); was the base model "
                "changed? Use a new `model_dir`.")


def add_styles(config, callbacks=()):
    """Learns new styles on top of a trained model, keeping its styles.

    Writes into `config.model_dir` what `train.train` writes, and at the
    end `model.keras` and `styles.json`: the base styles, then the new ones
    (`added_by_finetuning=True`). The config in `styles.json` is the base
    model's plus a `finetuning` list that records this run's config.

    Args:
        config: A `config.TrainConfig` whose `base_model` is the model
            folder to extend and `styles` the paintings to add. `alpha`
            comes from the base model (leave it None).
        callbacks: Extra Keras callbacks for `fit()`.

    Returns:
        The extended network: `N + k` styles, where the first `N` rows of
        every table and all convolution weights equal the base's.

    Raises:
        FileNotFoundError: On a missing base model or painting.
        ValueError: On an unreadable base model or painting, a new style
            name the base model already has, or a bad config.
    """
    if not config.base_model:
        raise ValueError("Adding styles needs a `base_model` folder.")
    base_dir = os.path.abspath(config.base_model)
    if os.path.realpath(config.model_dir) == os.path.realpath(base_dir):
        raise ValueError(
            f"`model_dir` {config.model_dir} is the base model; adding "
            "styles writes a new model folder.")
    base, base_styles, base_config = folder_io.read(base_dir)
    alpha = base.alpha
    if config.alpha is not None and config.alpha != alpha:
        logging.warning("Ignoring alpha=%s: the base model has alpha=%s.",
                        config.alpha, alpha)
    new_styles = style_set.styles_from_files(
        train_lib.resolve_style_files(config.styles))
    style_set.check_no_clashes(style_set.names(base_styles), new_styles)
    config = dataclasses.replace(config, base_model=base_dir, alpha=alpha)
    logging.info("Adding %d style(s) to the %d of %s.", len(new_styles),
                 len(base_styles), base_dir)

    trainee = build_new_style_net(
        base, len(new_styles),
        dtype="mixed_bfloat16" if config.mixed_precision else "float32")
    trained = train_lib.train(config, transformer=trainee,
                              write_model=False, callbacks=callbacks)
    _check_same_convolutions(base, trained, config.model_dir)

    extended = style_tables.append_styles(
        base, style_tables.style_tables(trained))
    styles = [*base_styles, *(dataclasses.replace(s, added_by_finetuning=True)
                              for s in new_styles)]
    record = dataclasses.asdict(config)
    record["styles"] = [s.source for s in new_styles]
    model_config = {**base_config, "alpha": alpha,
                    "finetuning": [*base_config.get("finetuning", []),
                                   record]}
    folder_io.write(config.model_dir, extended, styles, model_config)
    return extended
