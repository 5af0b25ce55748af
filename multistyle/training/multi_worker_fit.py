"""`fit()` for TensorFlow's `MultiWorkerMirroredStrategy`.

Keras 3's own `fit()` cannot run under that strategy: building the model
it reduces the first (per-replica) batch with `strategy.reduce`, and each
step reduces the scalar metrics over axis 0, both of which the strategy
rejects. The loop here is the part of `fit()` a training run uses: the
model's own `train_step` on every replica (`strategy.run`), its metrics
averaged over the replicas, and the callbacks called as `fit()` calls
them. Variables must be built (model and optimizer) before it starts.
"""

import keras


def fit(strategy, model, dataset, epochs, initial_epoch, steps_per_epoch,
        callbacks=(), verbose=1):
    """Trains `model` from `initial_epoch` to `epochs` as `model.fit` would.

    Every worker runs the same steps (their all-reduces pair up), so a
    callback that sets `model.stop_training` must decide from the logs,
    which are the same on every worker.

    Args:
        strategy: The `tf.distribute.MultiWorkerMirroredStrategy` whose
            scope built and compiled `model`.
        model: A compiled, built `keras.Model`.
        dataset: A distributed dataset (`strategy.distribute_datasets_*`),
            endless.
        epochs, initial_epoch, steps_per_epoch, callbacks, verbose: As for
            `model.fit`.
    """
    callback_list = keras.callbacks.CallbackList(
        list(callbacks), add_progbar=bool(verbose), verbose=verbose,
        epochs=epochs, steps=steps_per_epoch, model=model)
    train_step = _distributed_train_step(strategy, model)
    batches = iter(dataset)
    model.stop_training = False
    logs = {}
    callback_list.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        for batch in range(steps_per_epoch):
            callback_list.on_train_batch_begin(batch)
            logs = {name: float(value)
                    for name, value in train_step(batches).items()}
            callback_list.on_train_batch_end(batch, logs)
            if model.stop_training:
                break
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)


def _distributed_train_step(strategy, model):
    """A `tf.function` of one step on every replica, returning the metrics
    averaged over all replicas."""
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    @tf.function
    def step(batches):
        metrics = strategy.run(model.train_step, args=(next(batches),))
        return {name: strategy.reduce("MEAN", value, axis=None)
                for name, value in metrics.items()}

    return step
