"""Data-parallel training: one global batch split over devices and hosts.

`plan(devices, batch_size)` picks the engine that `devices.distribution`
(a `config.Devices`) asks for on the current Keras backend, after joining
a multi-host run:

- JAX: `keras.distribution.DataParallel` over every device of every
  process; several hosts join with `keras.distribution.initialize` (that
  is `jax.distributed.initialize`) from `coordinator_address`,
  `num_processes` and `process_id` or the environment.
- TensorFlow: `tf.distribute.MirroredStrategy` over the local GPUs (else
  the logical CPUs) of one host. Several hosts train on JAX: Keras' `fit()`
  cannot run under TensorFlow's `MultiWorkerMirroredStrategy`, and Keras
  3's supported multi-host path is `keras.distribution`, so a `TF_CONFIG`
  cluster is refused with that advice.

`batch_size` is the global batch: each of N devices paints `batch_size / N`
of its rows and the step follows the gradient of the whole batch's mean
loss, so the flags of a one-device run train the same steps (up to float
rounding) on many, at the same learning rate. Nothing is scaled for you;
to train with a k times larger batch, a k times larger learning rate with
warmup (the linear scaling rule, Goyal et al. 2017) is the usual start.

Each process decodes only its own rows of every batch
(`data.ImageFolderDataset`'s `process_index`). Process 0, the chief,
writes checkpoints, logs and the model; every process resumes from the
newest checkpoint, so `model_dir` must be one folder that all hosts share.
"""

import contextlib
import dataclasses
import itertools
import json
import os
from typing import Callable, Optional

import keras

from multistyle import errors
from multistyle.training import data

AUTO = "auto"
NONE = "none"
DATA_PARALLEL = "data_parallel"
CHOICES = (AUTO, NONE, DATA_PARALLEL)
_JAX_CLUSTER_FIELDS = ("coordinator_address", "num_processes", "process_id")
_ADDRESS_VARIABLES = ("KERAS_DISTRIBUTION_JOB_ADDRESSES",
                      "JAX_COORDINATOR_ADDRESS")


@dataclasses.dataclass(frozen=True)
class Plan:
    """How a training run is spread over devices and processes.

    Attributes:
        engine: What splits the batch ("none" for one device).
        num_devices: Devices of all processes together.
        local_devices: This process's device names.
        num_processes: Processes (hosts) of the run.
        process_index: This process's index; 0 is the chief.
        batch_size: The global batch.
        gradient_replicas: How many replicas' gradients the engine adds up
            each step (tf.distribute's `num_replicas_in_sync`); their loss
            is divided by it. 1 on JAX, which takes one global mean.
        scope: Makes the context to build, compile and fit in.
        strategy: The `tf.distribute.Strategy`, if any.
        jit_compile: Whether train steps may be XLA-compiled; not under
            tf.distribute, whose replicas' variables live on other devices
            than XLA's one (TensorFlow's XLA "known issues").
    """

    engine: str
    num_devices: int
    local_devices: tuple[str, ...]
    num_processes: int
    process_index: int
    batch_size: int
    gradient_replicas: int = 1
    scope: Callable = contextlib.nullcontext
    strategy: Optional[object] = None
    jit_compile: bool = True

    @property
    def is_chief(self):
        """Whether this process writes checkpoints, logs and the model."""
        return self.process_index == 0

    @property
    def device_batch(self):
        return self.batch_size // self.num_devices

    @property
    def process_batch(self):
        return self.batch_size // self.num_processes

    def describe(self):
        """One line for the log: engine, devices, processes, batches."""
        return (
            f"distribution {self.engine}: {self.num_devices} device(s) in "
            f"{self.num_processes} process(es) (this is process "
            f"{self.process_index}{', the chief' if self.is_chief else ''}, "
            f"devices {', '.join(self.local_devices)}); global batch "
            f"{self.batch_size} = {self.device_batch} per device, "
            f"{self.process_batch} per process; learning rate as given "
            "(not scaled with the device count)"
            f"{'' if self.jit_compile else '; train steps not XLA-compiled'}")

    def distribute(self, dataset):
        """`dataset` as `fit()` should get it: under tf.distribute, an
        `ImageFolderDataset` of this process's rows becomes a dataset that
        hands each local replica its rows, in order."""
        if self.strategy is None or not isinstance(
                dataset, data.ImageFolderDataset):
            return dataset
        return _tf_distributed(self.strategy, dataset, self.batch_size)


def plan(devices, batch_size):
    """Joins a multi-host run if configured and returns its `Plan`.

    Call it before building any model: JAX must join the cluster before
    its first computation.

    Args:
        devices: A `config.Devices` (`distribution` and the JAX cluster
            fields), or None for one device.
        batch_size: The global batch.

    Raises:
        errors.ArgumentError: On cluster settings that do not fit the
            backend or `distribution`, or a `batch_size` that does not
            split evenly over the devices.
    """
    if devices is None:
        return _single(batch_size)
    backend = keras.backend.backend()
    if backend == "jax":
        result = _jax_plan(devices, batch_size)
    elif backend == "tensorflow":
        result = _tf_plan(devices, batch_size)
    elif devices.distribution == DATA_PARALLEL:
        raise errors.ArgumentError(
            "{distribution} data_parallel runs on the JAX and TensorFlow "
            f"backends. Received: keras backend '{backend}'.",
            ("distribution",))
    else:
        result = _single(batch_size)
    count = result.num_devices
    if batch_size % count:
        raise errors.ArgumentError(
            f"{{batch_size}} must be a multiple of the {count} devices it "
            f"is split over ({result.num_processes} process(es)), e.g. "
            f"{count * max(1, batch_size // count)}. Received: "
            f"{{batch_size:value}}={batch_size}", ("batch_size",))
    return result


def _single(batch_size):
    return Plan(NONE, 1, ("default",), 1, 0, batch_size)


def _jax_cluster(config):
    """`keras.distribution.initialize` arguments, or None for one host.
    Unset ones (None) come from the environment."""
    address = config.coordinator_address or None
    asked = address or config.num_processes > 1 or any(
        os.environ.get(name) for name in _ADDRESS_VARIABLES)
    if not asked:
        return None
    return (address, config.num_processes or None,
            config.process_id if config.process_id >= 0 else None)


def _jax_plan(config, batch_size):
    import jax  # pylint: disable=g-import-not-at-top

    cluster = _jax_cluster(config)
    if config.distribution == NONE:
        if cluster:
            raise errors.ArgumentError(
                "A multi-host run ({coordinator_address}, {num_processes} "
                "or the environment) needs {distribution} data_parallel or "
                "auto. Received: {distribution:value}=none",
                ("coordinator_address", "num_processes", "distribution"))
        return _single(batch_size)
    if cluster:
        keras.distribution.initialize(*cluster)
    devices = keras.distribution.list_devices()
    if config.distribution == AUTO and len(devices) == 1:
        return _single(batch_size)
    data_parallel = keras.distribution.DataParallel(
        devices=devices, auto_shard_dataset=False)  # Rows read per process.
    return Plan("keras.distribution.DataParallel (jax)", len(devices),
                tuple(str(d) for d in jax.local_devices()),
                jax.process_count(), jax.process_index(), batch_size,
                scope=data_parallel.scope)


def _tf_plan(config, batch_size):
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    given = [name for name in _JAX_CLUSTER_FIELDS
             if getattr(config, name) not in ("", 0, -1)]
    if given:
        raise errors.ArgumentError(
            ", ".join(f"{{{name}:value}}={getattr(config, name)}"
                      for name in given) +
            ": {coordinator_address}, {num_processes} and {process_id} are "
            "for the JAX backend (KERAS_BACKEND=jax); TensorFlow reads its "
            "cluster from TF_CONFIG.", _JAX_CLUSTER_FIELDS)
    _refuse_tf_cluster()
    if config.distribution == NONE:
        return _single(batch_size)
    devices = [d.name for d in (tf.config.list_logical_devices("GPU")
                                or tf.config.list_logical_devices("CPU"))]
    if config.distribution == AUTO and len(devices) == 1:
        return _single(batch_size)
    strategy = tf.distribute.MirroredStrategy(devices)
    return Plan("MirroredStrategy (tensorflow)",
                strategy.num_replicas_in_sync,
                tuple(strategy.extended.worker_devices), 1, 0, batch_size,
                gradient_replicas=strategy.num_replicas_in_sync,
                scope=strategy.scope, strategy=strategy, jit_compile=False)


def _refuse_tf_cluster():
    """Raises ArgumentError if `TF_CONFIG` names a cluster of hosts."""
    if os.environ.get("TF_CONFIG", "").strip() in ("", "{}"):
        return
    try:
        cluster = json.loads(os.environ["TF_CONFIG"]).get("cluster")
    except (json.JSONDecodeError, AttributeError):
        cluster = True  # Unreadable: say what to do instead.
    if cluster:
        raise errors.ArgumentError(
            "TF_CONFIG names a cluster, but several hosts train on the JAX "
            "backend: KERAS_BACKEND=jax with {coordinator_address}, "
            "{num_processes} and {process_id} (keras.distribution). "
            "TensorFlow trains on the devices of one host; unset "
            "TF_CONFIG.", _JAX_CLUSTER_FIELDS)


def _tf_distributed(strategy, dataset, batch_size):
    """An `ImageFolderDataset` of this worker's rows, endless, cut into one
    batch per local replica (consecutive batches go to consecutive
    replicas).

    The batches are those Keras' own `PyDataset` adapter feeds a
    one-device `fit()`, which starts with a call to `on_epoch_end()`
    (`EpochIterator.reset`): epochs `dataset.epoch + 1` on. They are made
    from `(epoch, index)` alone, since `fit()` also opens an iterator just
    to build the model.
    """
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    start = dataset.epoch + 1
    spec = tf.nest.map_structure(
        lambda a: tf.TensorSpec(a.shape, tf.as_dtype(a.dtype)),
        dataset.batch(start, 0))

    def batches():
        for epoch in itertools.count(start):
            for index in range(len(dataset)):
                yield dataset.batch(epoch, index)

    def make(context):
        rows = context.get_per_replica_batch_size(batch_size)
        return tf.data.Dataset.from_generator(
            batches, output_signature=spec).unbatch().batch(
                rows, drop_remainder=True).prefetch(1)

    return strategy.distribute_datasets_from_function(make)
