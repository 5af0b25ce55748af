"""Training: three entry points, each with its config of setting groups.

- `train(TrainConfig(...))`: a network learns paintings with the perceptual
  loss, from scratch or from a trained model (`init_from`) (`perceptual`);
- `add_styles(base_model, paintings, AddStylesConfig(...))`: a trained
  model learns more paintings, keeping its own (`finetune`);
- `distill(teacher, DistillConfig(...))`: a network learns to paint as a
  trained model does, without VGG-19 (`distillation`).

The groups they share (`config.Data`, `Schedule`, `Loss`, `Network`,
`Devices`) hold the defaults; `fit` is the routine the three share.
"""

from multistyle.training.distillation import DistillConfig
from multistyle.training.distillation import distill
from multistyle.training.finetune import AddStylesConfig
from multistyle.training.finetune import add_styles
from multistyle.training.perceptual import TrainConfig
from multistyle.training.perceptual import train

__all__ = ["AddStylesConfig", "DistillConfig", "TrainConfig", "add_styles",
           "distill", "train"]
