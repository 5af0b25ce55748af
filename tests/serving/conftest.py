"""Fixtures of the server tests: the real painters of the shipped lite model
(LiteRT, the same on every Keras backend) and of a tiny `model.keras`, apps
on them, and photo bytes."""

import contextlib
import io
import os

import numpy as np
from PIL import Image
import pytest
from starlette import testclient

from multistyle.serving import app as app_lib
from multistyle.serving import limits as limits_lib
from multistyle.serving import painter as painter_lib
from tests.conftest import REPO_ROOT

LITE_MODEL = os.path.join(REPO_ROOT, "saved_models", "multistyle16_lite")


def photo_array(height=48, width=64, seed=0):
    """A smooth random uint8 RGB photo."""
    small = np.random.default_rng(seed).integers(
        0, 256, (max(2, height // 8), max(2, width // 8), 3), np.uint8)
    return np.asarray(Image.fromarray(small).resize(
        (width, height), Image.Resampling.BILINEAR))


def encoded(array, fmt="PNG"):
    """A uint8 array as image file bytes."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def decoded(data):
    """Image file bytes as a uint8 RGB array."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.fixture(scope="session")
def lite_painter():
    """The real `Painter` of the shipped lite model (TFLite runtime)."""
    return painter_lib.Painter(LITE_MODEL)


@pytest.fixture(scope="session")
def keras_painter(model_dir):
    """The real painter of a tiny model folder with only `model.keras` (the
    Keras backend runs it; quick to compile on JAX)."""
    return painter_lib.Painter(model_dir)


@pytest.fixture
def serve():
    """`serve(painter, **limits)`: a context manager giving a TestClient of
    an app on `painter` with those `Limits`, started and stopped."""

    @contextlib.contextmanager
    def client(painter, model_name=None, **limits):
        app = app_lib.create_app(painter, limits_lib.Limits(**limits),
                                 model_name)
        with testclient.TestClient(app) as test_client:
            test_client.app_state = app.state
            yield test_client

    return client


@pytest.fixture
def client(serve, lite_painter):
    """A TestClient of the lite model's app with the default limits."""
    with serve(lite_painter) as test_client:
        yield test_client


@pytest.fixture
def png():
    """A 48x64 photo as PNG bytes."""
    return encoded(photo_array())
