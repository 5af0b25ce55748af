"""Trains a small network to paint as a trained one does (distillation).

A teacher network (a trained model folder) paints each training crop in
the crop's style, and the student learns to reproduce those paintings:
an L1 loss on pixels plus one on their edges (brush strokes), with no
VGG-19 in the loop, so a step costs two forward passes of the networks
and one backward pass of the student. This is how the lite model learns
what the full model learned in many more CPU-hours.

Reference: Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural
Network", 2015 (here on the outputs of an image-to-image network).
"""

from keras import ops

from multistyle.loss import losses
from multistyle.training import trainer


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
