"""Writes TensorBoard scalars and images without TensorFlow.

Keras' TensorBoard callback imports TensorFlow even on the JAX backend;
this writer uses only the `tensorboard` package, so it works everywhere.
"""

import io
import time

import numpy as np
from PIL import Image
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto import summary_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter


class SummaryWriter:
    """Appends scalar and image summaries to a TensorBoard event file.

    Args:
        logdir: Folder for the `events.out.tfevents.*` file.

    Example:

    >>> writer = SummaryWriter("/tmp/run")
    >>> writer.scalar("loss", 0.5, step=10)
    >>> writer.close()
    """

    def __init__(self, logdir):
        self._writer = EventFileWriter(logdir)

    def _add(self, value, step):
        event = event_pb2.Event(
            wall_time=time.time(), step=int(step),
            summary=summary_pb2.Summary(value=[value]))
        self._writer.add_event(event)

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
        self._writer.flush()

    def close(self):
        self._writer.close()
