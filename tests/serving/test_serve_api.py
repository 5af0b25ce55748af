"""The server's routes, with the real painter: what comes back is what the
library paints."""

import base64
import io
import json

import numpy as np
from PIL import Image
import pytest

from multistyle.inference import stylizer as stylizer_lib
from multistyle.model_folder import folder_io
from multistyle.serving import painter as painter_lib
from multistyle.serving import thumbnails
from tests.serving.conftest import LITE_MODEL
from tests.serving.conftest import decoded
from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array

MIX = "starry_night=0.7,great_wave=0.3"


def _expected(painter, photo, spec=MIX, **options):
    return np.asarray(painter.full.stylize(photo, painter.weights(spec),
                                           **options))


def test_styles_lists_names_in_weight_order_with_thumbnails(client,
                                                            lite_painter):
    styles = client.get("/v1/styles").json()["styles"]

    assert [s["name"] for s in styles] == lite_painter.style_names
    assert [s["index"] for s in styles] == list(range(16))
    for style in styles:
        header, payload = style["thumbnail"].split(",", 1)
        assert header == "data:image/jpeg;base64"
        image = Image.open(io.BytesIO(base64.b64decode(payload)))
        assert image.size == (thumbnails.SIZE, thumbnails.SIZE)
        assert style["thumbnail_source"] in ("painting", "swatch")


def test_thumbnail_is_the_painting_when_its_file_is_there(tmp_path,
                                                          lite_painter):
    painting = photo_array(200, 300, seed=3)
    Image.fromarray(painting).save(tmp_path / "starry_night.jpg")
    style = lite_painter.full.styles[0]

    path = thumbnails.painting_path(style, 0, str(tmp_path / "model"),
                                    {"styles": [str(tmp_path)]})

    assert path == str(tmp_path / "starry_night.jpg")


def test_swatch_thumbnails_when_paintings_are_missing(serve, keras_painter):
    with serve(keras_painter) as client:
        styles = client.get("/v1/styles").json()["styles"]

    assert {s["thumbnail_source"] for s in styles} == {"swatch"}
    first, second = (decoded(base64.b64decode(s["thumbnail"].split(",")[1]))
                     for s in styles[:2])
    assert np.abs(first.astype(int) - second).mean() > 5


def test_healthz_says_what_runs(client):
    health = client.get("/healthz").json()

    assert health == {"status": "ok", "model": "multistyle16_lite",
                      "styles": 16,
                      "runtime": {"full": "onnx_int8", "preview": "onnx_int8"},
                      "painting": 0, "waiting": 0}


def test_page_and_its_files_are_served(client):
    page = client.get("/")

    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for path in ("/static/app.js", "/static/mask.js", "/static/style.css"):
        assert path in page.text
        assert client.get(path).status_code == 200


def test_multipart_stylize_is_the_library_painting(client, lite_painter, png):
    response = client.post("/v1/stylize", files={"image": ("p.png", png)},
                           data={"weights": MIX})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    np.testing.assert_array_equal(decoded(response.content),
                                  _expected(lite_painter, decoded(png)))


def test_raw_body_with_query_parameters_paints_the_same(client, png):
    multipart = client.post("/v1/stylize", files={"image": ("p", png)},
                            data={"weights": MIX, "strength": "0.6"})
    raw = client.post("/v1/stylize", params={"weights": MIX,
                                             "strength": "0.6"},
                      content=png)

    assert raw.status_code == 200
    assert raw.content == multipart.content


def test_raw_body_labelled_as_a_form_is_the_photo(client, png):
    # `curl --data-binary @photo.jpg` sends this content type.
    response = client.post("/v1/stylize", content=png, headers={
        "content-type": "application/x-www-form-urlencoded"})

    assert response.status_code == 200


def test_weight_vector_equals_named_weights(client, lite_painter, png):
    vector = np.zeros(16)
    vector[[0, 4]] = [0.7, 0.3]
    named = client.post("/v1/stylize", params={"weights": MIX}, content=png)
    listed = client.post(
        "/v1/stylize", params={"weights": json.dumps(vector.tolist())},
        content=png)

    assert listed.content == named.content


def test_options_reach_the_painting(client, lite_painter):
    photo = photo_array(80, 96, seed=2)
    response = client.post("/v1/stylize", content=encoded(photo), params={
        "style": "udnie", "strength": "0.5", "preserve_color": "true",
        "stroke_scale": "2", "max_size": "64"})

    expected = _expected(lite_painter, photo, "udnie=1", strength=0.5,
                         preserve_color=True, stroke_scale=2.0, max_size=64)
    np.testing.assert_array_equal(decoded(response.content), expected)
    assert decoded(response.content).shape == (53, 64, 3)


def test_preview_is_painted_at_the_preview_size(serve, lite_painter):
    with serve(lite_painter, preview_size=100) as client:
        response = client.post("/v1/stylize", content=encoded(
            photo_array(150, 200)), params={"preview": "true"})

    assert decoded(response.content).shape == (75, 100, 3)


def test_large_photo_is_painted_in_tiles_at_its_own_size(client,
                                                        lite_painter):
    photo = photo_array(40, 1300)  # Two tiles of tiling.DEFAULT_TILE_SIZE.
    tiles = []

    response = client.post("/v1/stylize", content=encoded(photo),
                           params={"style": "udnie"})

    lite_painter.full.stylize(photo, lite_painter.weights(style="udnie"),
                              on_tile=lambda done, total: tiles.append(total))
    assert tiles == [2, 2]
    np.testing.assert_array_equal(
        decoded(response.content),
        _expected(lite_painter, photo, "udnie=1"))


def test_jpeg_is_returned_when_asked(client, png):
    response = client.post("/v1/stylize", content=png,
                           params={"format": "jpeg"})

    assert response.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"


def test_strength_zero_gives_the_photo_back(client):
    photo = photo_array()
    response = client.post("/v1/stylize", content=encoded(photo),
                           params={"strength": "0"})

    np.testing.assert_array_equal(decoded(response.content), photo)


def test_serves_model_keras_on_this_backend(serve, keras_painter):
    # The swatches' size: on JAX, one compiled shape serves both.
    photo = photo_array(thumbnails.SWATCH_SIZE, thumbnails.SWATCH_SIZE)
    with serve(keras_painter) as client:
        response = client.post("/v1/stylize", content=encoded(photo),
                               params={"weights": "great_wave=1"})

    assert keras_painter.full.runtime != "tflite"
    assert response.status_code == 200
    np.testing.assert_array_equal(
        decoded(response.content),
        _expected(keras_painter, photo, "great_wave=1"))


def _tf_request(images, weights, columnar):
    if columnar:
        return {"inputs": {"images": images.tolist(),
                           "style_weights": weights.tolist()}}
    return {"signature_name": folder_io.SIGNATURE_KEY,
            "instances": [{"images": i.tolist(), "style_weights": w.tolist()}
                          for i, w in zip(images, weights)]}


@pytest.mark.parametrize("columnar", [False, True])
def test_tf_serving_predict_paints_each_instance(client, lite_painter,
                                                 columnar):
    images = np.stack([photo_array(24, 32, seed=s) for s in (1, 2)])
    weights = np.zeros((2, 16), np.float32)
    weights[0, 0], weights[1, 3] = 1.0, 1.0

    response = client.post("/v1/models/multistyle16_lite:predict",
                           json=_tf_request(images, weights, columnar))

    outputs = np.asarray(response.json()["outputs" if columnar
                                          else "predictions"])
    assert outputs.shape == images.shape
    for image, w, out in zip(images, weights, outputs):
        np.testing.assert_array_equal(
            out, np.asarray(lite_painter.full.stylize(image, w)))


def test_tf_serving_version_route_and_status(client):
    images = photo_array(20, 20)[None]
    weights = np.eye(16, dtype=np.float32)[[5]]

    versioned = client.post("/v1/models/multistyle16_lite/versions/1:predict",
                            json=_tf_request(images, weights, True))
    status = client.get("/v1/models/multistyle16_lite").json()

    assert versioned.status_code == 200
    assert status["model_version_status"][0]["state"] == "AVAILABLE"


def test_model_name_can_be_chosen(serve, lite_painter):
    with serve(lite_painter, model_name="paintings") as client:
        assert client.get("/v1/models/paintings").status_code == 200
        assert client.get("/v1/models/multistyle16_lite").status_code == 404


def test_default_preview_model_is_the_lite_sibling():
    full = LITE_MODEL[:-len(painter_lib.LITE_SUFFIX)]

    assert painter_lib.default_preview_model(full) == LITE_MODEL
    assert painter_lib.default_preview_model(LITE_MODEL) == LITE_MODEL


def test_preview_model_must_paint_the_same_styles(model_dir):
    with pytest.raises(ValueError, match="same order"):
        painter_lib.Painter(LITE_MODEL, model_dir)


def test_options_are_checked_like_the_library(client, png):
    response = client.post("/v1/stylize", content=png,
                           params={"stroke_scale": "9"})

    with pytest.raises(ValueError) as library:
        stylizer_lib.check_options(stroke_scale=9.0)
    assert response.json()["error"] == str(library.value)
