"""Writes TensorBoard scalars and images without TensorFlow.

Keras' TensorBoard callback, and tensorboard's own `EventFileWriter`, import
TensorFlow when it is installed, even on the JAX backend. This writer uses
only tensorboard's protobufs and record format, so it imports no framework.
"""

import io
import os
import socket
import time

import numpy as np
from PIL import Image
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto import summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter


class SummaryWriter:
    """Appends scalar and image summaries to a TensorBoard event file.

    Args:
        logdir: Folder for the `events.out.tfevents.*` file.

    Example:

    >>> writer = SummaryWriter("/tmp/run/logs")
    >>> writer.scalar("train/loss", 0.5, step=10)
    >>> writer.close()
    """

    def __init__(self, logdir):
        os.makedirs(logdir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}."
                f"{socket.gethostname()}.{os.getpid()}")
        self.path = os.path.join(logdir, name)
        self._file = open(self.path, "wb")
        self._records = RecordWriter(self._file)
        self._write(event_pb2.Event(wall_time=time.time(),
                                    file_version="brain.Event:2"))

    def _write(self, event):
        self._records.write(event.SerializeToString())

    def _add(self, value, step):
        self._write(event_pb2.Event(
            wall_time=time.time(), step=int(step),
            summary=summary_pb2.Summary(value=[value])))

    def scalar(self, tag, value, step):
        self._add(summary_pb2.Summary.Value(tag=tag,
                                            simple_value=float(value)), step)

    def image(self, tag, image, step):
        """Adds a uint8 HWC RGB image, PNG-encoded."""
        image = np.asarray(image, dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        encoded = summary_pb2.Summary.Image(
            height=image.shape[0], width=image.shape[1], colorspace=3,
            encoded_image_string=buffer.getvalue())
        self._add(summary_pb2.Summary.Value(tag=tag, image=encoded), step)

    def flush(self):
        self._records.flush()

    def close(self):
        self._records.close()
