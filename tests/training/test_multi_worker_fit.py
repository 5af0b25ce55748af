"""`multi_worker_fit.fit` trains as `model.fit` does, callbacks included.

A real MultiWorkerMirroredStrategy needs its own processes (see
`test_distribution`); here the loop runs under a one-device
MirroredStrategy, which takes the same `strategy.run` and `reduce` path.
"""

import keras
import numpy as np
import pytest

from multistyle.training import multi_worker_fit

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="a tf.distribute training loop")

_EPOCHS, _INITIAL_EPOCH, _STEPS = 3, 1, 2


class _Recorder(keras.callbacks.Callback):
    """Records the callback calls and the logs they get."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, round(logs["loss"], 5)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, round(logs["loss"], 5)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def _strategy():
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    return tf.distribute.MirroredStrategy(
        [tf.config.list_logical_devices("CPU")[0].name])


def _model(strategy):
    """A seeded, compiled and built linear model."""
    keras.utils.set_random_seed(1)
    with strategy.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(0.1), loss="mse",
                      jit_compile=False)
        model.optimizer.build(model.trainable_variables)
    return model


def _dataset():
    """Endless batches of 4 rows of a linear target."""
    import tensorflow as tf  # pylint: disable=g-import-not-at-top

    rng = np.random.default_rng(0)
    x = rng.normal(size=(_EPOCHS * _STEPS * 4, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(4).repeat()


def _loop_fit(strategy, model, callback, initial_epoch=_INITIAL_EPOCH):
    multi_worker_fit.fit(
        strategy, model, strategy.experimental_distribute_dataset(_dataset()),
        epochs=_EPOCHS, initial_epoch=initial_epoch, steps_per_epoch=_STEPS,
        callbacks=[callback], verbose=0)


def test_trains_and_calls_back_as_fit_does():
    strategy = _strategy()
    model, got = _model(strategy), _Recorder()
    initial = model.get_weights()
    _loop_fit(strategy, model, got)
    reference, want = _model(strategy), _Recorder()
    reference.fit(_dataset(), epochs=_EPOCHS, initial_epoch=_INITIAL_EPOCH,
                  steps_per_epoch=_STEPS, callbacks=[want], verbose=0,
                  shuffle=False)
    assert got.calls == want.calls
    assert got.calls[:2] == [("train_begin",),
                             ("epoch_begin", _INITIAL_EPOCH)]
    assert len(got.calls) == 2 + (_EPOCHS - _INITIAL_EPOCH) * (_STEPS + 2)
    for trained, fitted, start in zip(model.get_weights(),
                                      reference.get_weights(), initial):
        np.testing.assert_allclose(trained, fitted, rtol=1e-6, atol=1e-6)
        assert np.abs(trained - start).max() > 0.05  # It did train.


def test_stops_when_a_callback_asks():

    class _StopAfterFirstEpoch(_Recorder):
        def on_epoch_end(self, epoch, logs=None):
            super().on_epoch_end(epoch, logs)
            self.model.stop_training = True

    strategy = _strategy()
    stopper = _StopAfterFirstEpoch()
    _loop_fit(strategy, _model(strategy), stopper, initial_epoch=0)
    assert [call[:2] for call in stopper.calls] == [
        ("train_begin",), ("epoch_begin", 0), ("batch_end", 0),
        ("batch_end", 1), ("epoch_end", 0), ("train_end",)]
