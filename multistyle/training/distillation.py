"""Trains a small network to paint as a trained one does (distillation).

A teacher network (a trained model folder) paints each training crop in
the crop's style, and the student learns to reproduce those paintings:
an L1 loss on pixels plus one on their edges (brush strokes), with no
VGG-19 in the loop, so a step costs two forward passes of the networks
and one backward pass of the student. This is how the lite model learns
what the full model learned in many more CPU-hours.

The student paints the teacher's styles, in its order; its config,
`DistillConfig`, has no VGG-19 or painting settings.

Reference: Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural
Network", 2015 (here on the outputs of an image-to-image network).

Example:

>>> net = distill("saved_models/multistyle16", DistillConfig(
...     content="photos/", model_dir="runs/lite",
...     network=config_lib.Network(alpha=0.25)))
"""

import dataclasses

from keras import ops

from multistyle.loss import losses
from multistyle.model_folder import folder_io
from multistyle.model_folder import presets
from multistyle.training import config as config_lib
from multistyle.training import fit
from multistyle.training import trainer


@dataclasses.dataclass(frozen=True, kw_only=True)
class DistillConfig(config_lib.RunConfig):
    """A run that distills a trained model into a network (see `distill`).

    Raises:
        errors.ArgumentError: On a bad value, naming the field.
    """

    network: config_lib.Network = config_lib.Network()
    devices: config_lib.Devices = config_lib.Devices()
    edge_weight: float = dataclasses.field(default=1.0, metadata={
        "help": "With `teacher`: weight of the edge loss beside the pixel "
                "loss."})

    def __post_init__(self):
        config_lib.check_at_least(self, 0, ("edge_weight",))


def distill(teacher, config, callbacks=()):
    """Trains a network to paint as the model folder `teacher` does.

    Writes into `config.model_dir` what `fit.fit` writes; the model
    paints the teacher's styles, and its recorded config names the
    teacher.

    Args:
        teacher: A trained model folder (any width), or a shipped
            model's name.
        config: A `DistillConfig`.
        callbacks: Extra Keras callbacks for `fit()`.

    Returns:
        The trained student network (`keras.Model`).

    Raises:
        FileNotFoundError: If the teacher or the content photos are
            missing.
        ValueError: On unreadable inputs or a `model_dir` that holds
            another run, naming the argument to fix.
    """
    teacher = presets.resolve_model_dir(teacher, argument="teacher")
    styles, _ = folder_io.read_styles(teacher)

    def make_trainer(student, plan):
        return DistillationTrainer(
            student, folder_io.read(teacher)[0], config.edge_weight,
            gradient_replicas=plan.gradient_replicas)

    return fit.fit(
        config, styles, lambda: fit.new_network(config.network, styles),
        make_trainer, devices=config.devices,
        init_from=config.network.init_from, recorded={"teacher": teacher},
        callbacks=callbacks)


class DistillationTrainer(trainer.LossTermsTrainer):
    """Wraps a student network and a frozen teacher for `fit()`.

    Each batch holds `(images, style_weights)`, as for
    `trainer.MultiStyleTrainer`; the teacher paints the same inputs.

    Args:
        transformer: The student network, painting the teacher's styles
            in the teacher's order (any width).
        teacher: The trained network to imitate; it does not train.
        edge_weight: Weight of the edge loss beside the pixel loss.
    """

    LOSS_TERMS = ("pixel_loss", "edge_loss")

    def __init__(self, transformer, teacher, edge_weight, **kwargs):
        super().__init__(transformer, **kwargs)
        self.teacher = teacher
        self.teacher.trainable = False
        self.edge_weight = float(edge_weight)

    def loss_terms(self, images, style_weights, stylized):
        """Returns the per-example pixel and weighted edge losses."""
        target = ops.stop_gradient(
            self.teacher([images, style_weights], training=False))
        return {
            "pixel_loss": losses.pixel_distance(stylized, target),
            "edge_loss": self.edge_weight * losses.edge_distance(stylized,
                                                                 target),
        }
