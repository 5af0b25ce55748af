import io
import struct

import numpy as np
from PIL import Image
from tensorboard.compat.proto import event_pb2

from multistyle.training.summary_writer import SummaryWriter


def _read_events(path):
    events = []
    with open(path, "rb") as f:
        while header := f.read(12):
            (length,) = struct.unpack("<Q", header[:8])
            events.append(event_pb2.Event.FromString(f.read(length)))
            f.read(4)  # Data CRC.
    return events


def test_writes_scalars_and_images_readable_as_events(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    writer.scalar("train/loss", 2.5, step=3)
    image = np.zeros((4, 6, 3), np.uint8)
    image[:, :3] = 255
    writer.image("samples", image, step=3)
    writer.close()
    events = _read_events(writer.path)
    assert events[0].file_version == "brain.Event:2"
    scalar = events[1].summary.value[0]
    assert (events[1].step, scalar.tag, scalar.simple_value) == (
        3, "train/loss", 2.5)
    encoded = events[2].summary.value[0].image.encoded_image_string
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(encoded))),
                                  image)
