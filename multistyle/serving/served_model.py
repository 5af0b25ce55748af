"""The model the routes paint with, which a finished training job replaces.

`ServedModel.current` is a `(painter, styles)` pair, read once per
request, so a request sees one model from start to end even when a job
switches the server to a model with one more style mid-request; `switch`
replaces the pair with one assignment.
"""

from multistyle.serving import painter as painter_lib
from multistyle.serving import thumbnails


class ServedModel:
    """The `painter.Painter` the server paints with, and its styles'
    thumbnails (`thumbnails.style_thumbnails`).

    Args:
        painter: The painter the server starts with.
    """

    def __init__(self, painter):
        self.current = (painter,
                        thumbnails.style_thumbnails(painter.preview))

    @property
    def painter(self):
        return self.current[0]

    @property
    def styles(self):
        return self.current[1]

    def switch(self, model_dir):
        """Paints with `model_dir` from now on, for previews too (a fast
        twin of it, as the `_lite` model is of the shipped one, does not
        exist); the styles it shares with the old model keep their
        thumbnails. Blocking: it loads the model."""
        painter = painter_lib.Painter(model_dir)
        self.current = (painter, thumbnails.style_thumbnails(
            painter.preview, known=self.styles))
