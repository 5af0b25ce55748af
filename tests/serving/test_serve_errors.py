"""Bad input to every route: the right status and a message that says what
was wrong and how to fix it."""

import asyncio
import io
import json
import struct
import zlib

import numpy as np
from PIL import Image
import pytest

from multistyle.serving import upload_limit
from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array

PREDICT = "/v1/models/multistyle16_lite:predict"


def _error(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.mark.parametrize("params, message", [
    ({"weights": "starry_nite=1"}, "Did you mean 'starry_night'?"),
    ({"weights": "0.5,0.5"}, "Expected 16 style weights"),
    ({"weights": "udnie=-1"}, "must be >= 0"),
    ({"weights": "udnie=0"}, "all zero"),
    ({"weights": "udnie=1", "style": "udnie"}, "not both"),
    ({"style": "99"}, "out of range"),
    ({"strength": "lots"}, "`strength` must be a number"),
    ({"strength": "1.5"}, "`strength` must be between 0 and 1"),
    ({"stroke_scale": "0.1"}, "`stroke_scale` must be a number from 0.25"),
    ({"max_size": "big"}, "`max_size` must be a whole number"),
    ({"max_size": "0"}, "`max_size` must be a positive number"),
    ({"preserve_color": "maybe"}, "`preserve_color` must be true or false"),
    ({"format": "gif"}, "`format` must be png or jpeg"),
    ({"colour": "1"}, "Unknown field(s) colour. The fields are: image"),
])
def test_bad_options_get_400_saying_why(client, png, params, message):
    response = client.post("/v1/stylize", params=params, content=png)

    assert message in _error(response, 400)


def test_unknown_style_lists_the_valid_names(client, png):
    message = _error(client.post("/v1/stylize", content=png,
                                 params={"weights": "mona_lisa=1"}), 400)

    assert "starry_night, the_scream" in message
    assert "mondrian_cubist_composition" in message


def test_option_given_twice_is_refused(client, png):
    response = client.post("/v1/stylize?weights=udnie=1",
                           files={"image": ("p", png)},
                           data={"weights": "udnie=1"})

    assert "given more than once" in _error(response, 400)


def test_only_image_and_mask_may_be_files(client, png):
    one = client.post("/v1/stylize", files={"weights": ("w", b"x")})
    three = client.post("/v1/stylize", files={
        "image": ("p", png), "mask": ("m", png), "weights": ("w", b"x")})

    assert "Only the fields `image` and `mask` may be files" in _error(
        one, 400)
    assert "Send one file, as the field `image`" in _error(three, 400)


def test_image_cannot_be_a_query_parameter(client, png):
    response = client.post("/v1/stylize?image=/etc/passwd", content=png)

    assert "cannot be a query parameter" in _error(response, 400)


def test_form_without_a_photo_gets_400(client):
    response = client.post("/v1/stylize", files={"weights": (None, "udnie=1")})

    assert "the upload is empty" in _error(response, 400)


def test_image_form_field_must_be_a_file(client):
    as_text = client.post("/v1/stylize",
                          files={"image": (None, "/etc/passwd")})
    urlencoded = client.post("/v1/stylize", data={"image": "/etc/passwd"})

    assert "must be a file upload" in _error(as_text, 400)
    assert "not a JPEG, PNG, WebP or BMP" in _error(urlencoded, 400)


@pytest.mark.parametrize("body, message", [
    (b"", "the upload is empty"),
    (b"GIF89a not a photo", "not a JPEG, PNG, WebP or BMP"),
    (b"%!PS-Adobe-3.0 EPSF-3.0\n", "not a JPEG, PNG, WebP or BMP"),
])
def test_what_is_not_a_photo_gets_400(client, body, message):
    response = client.post("/v1/stylize", content=body)

    assert message in _error(response, 400)


def test_gif_is_not_decoded(client):
    buffer = io.BytesIO()
    Image.fromarray(photo_array()).save(buffer, format="GIF")

    response = client.post("/v1/stylize", content=buffer.getvalue())

    assert "not a JPEG, PNG, WebP or BMP" in _error(response, 400)


def test_truncated_photo_gets_400(client):
    jpeg = encoded(photo_array(64, 64), "JPEG")

    response = client.post("/v1/stylize", content=jpeg[:len(jpeg) // 2])

    assert "Send a complete JPEG" in _error(response, 400)


def _png_header_only(width, height):
    """A tiny PNG whose header claims width x height (a bomb's shape)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height", [(5000, 5000), (60000, 60000)])
def test_decompression_bomb_gets_400_before_decoding(serve, lite_painter,
                                                     width, height):
    with serve(lite_painter, max_pixels=1_000_000) as client:
        response = client.post("/v1/stylize",
                               content=_png_header_only(width, height))

    assert "`max_pixels`" in _error(response, 400)


def test_photo_over_the_pixel_cap_gets_400(serve, lite_painter):
    with serve(lite_painter, max_pixels=1000) as client:
        response = client.post("/v1/stylize",
                               content=encoded(photo_array(40, 30)))

    message = _error(response, 400)
    assert "30x40 = 1200 pixels" in message and "limit of 1000" in message


def test_upload_over_the_cap_gets_413(serve, lite_painter):
    with serve(lite_painter, max_upload_mb=0.01) as client:
        declared = client.post("/v1/stylize", content=b"x" * 20000)
        chunked = client.post("/v1/stylize",
                              content=iter([b"x" * 8000] * 3))
        multipart = client.post("/v1/stylize",
                                files={"image": ("p", b"x" * 20000)})

    for response in (declared, chunked, multipart):
        assert "`max_upload_mb`" in _error(response, 413)


def test_wrong_method_and_unknown_routes_answer_json(client):
    assert _error(client.get("/v1/stylize"), 405) == "Method Not Allowed"
    assert _error(client.get("/v2/paint"), 404) == "Not Found"


@pytest.mark.parametrize("path", [
    "/v1/models/other:predict", "/v1/models/multistyle16_lite/versions/2"
    ":predict"])
def test_unknown_model_or_version_gets_404(client, path):
    message = _error(client.post(path, json={}), 404)

    assert "serves 'multistyle16_lite', version 1" in message


def _image(height=4, width=4):
    return photo_array(height, width).tolist()


_ONE_HOT = [1.0] + [0.0] * 15


@pytest.mark.parametrize("body, message", [
    ("{not json", "must be JSON"),
    ("[1, 2]", "must be a JSON object"),
    ({"instances": [], "inputs": {}}, 'exactly one of "instances"'),
    ({"signature_name": "serving_masks", "instances": []},
     "Unknown signature_name"),
    ({"instances": []}, "non-empty list"),
    ({"instances": [{"images": _image()}]}, "exactly the inputs"),
    ({"inputs": {"images": [_image()]}}, "exactly the inputs"),
    ({"instances": [{"images": _image(4, 4), "style_weights": _ONE_HOT},
                    {"images": _image(4, 5), "style_weights": _ONE_HOT}]},
     "same shape"),
    ({"inputs": {"images": [[[1, 2, 3]], [[1, 2]]],
                 "style_weights": [_ONE_HOT]}}, "regular nested list"),
    ({"inputs": {"images": [[[[0.5, 0.5, 0.5]]]],
                 "style_weights": [_ONE_HOT]}}, "whole numbers from 0 to 255"),
    ({"inputs": {"images": [[[[0, 0, 256]]]], "style_weights": [_ONE_HOT]}},
     "values from 0 to 256"),
    ({"inputs": {"images": [[[[0, 0]]]], "style_weights": [_ONE_HOT]}},
     "[batch, height, width, 3]"),
    ({"inputs": {"images": [_image()], "style_weights": [[1.0, 0.0]]}},
     "shape [batch, 16]"),
    ({"inputs": {"images": [_image()],
                 "style_weights": [[-1.0] + [0.0] * 15]}}, "must be >= 0"),
    ({"inputs": {"images": [_image()], "style_weights": [["a"] * 16]}},
     "`style_weights` must be numbers"),
])
def test_bad_predict_requests_get_400(client, body, message):
    content = body if isinstance(body, str) else json.dumps(body)

    response = client.post(PREDICT, content=content)

    assert message in _error(response, 400)


def test_predict_over_the_pixel_cap_gets_400(serve, lite_painter):
    images = np.zeros((2, 20, 20, 3), int).tolist()
    with serve(lite_painter, max_pixels=500) as client:
        response = client.post(PREDICT, json={"inputs": {
            "images": images, "style_weights": [_ONE_HOT] * 2}})

    assert "800 pixels" in _error(response, 400)


def test_predict_over_the_upload_cap_gets_413(serve, lite_painter):
    with serve(lite_painter, max_upload_mb=0.001) as client:
        response = client.post(PREDICT, json={"inputs": {
            "images": [_image(20, 20)], "style_weights": [_ONE_HOT]}})

    assert "`max_upload_mb`" in _error(response, 413)


def test_malformed_content_length_gets_400():
    app_called, sent = [], []

    async def app(scope, receive, send):
        app_called.append(scope)

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    limited = upload_limit.UploadSizeLimit(app, max_bytes=100)
    asyncio.run(limited({"type": "http", "headers": [
        (b"content-length", b"lots")]}, receive, send))

    assert not app_called
    assert sent[0]["status"] == 400
    assert b"Content-Length header must be a whole number" in sent[1]["body"]


@pytest.mark.parametrize("path", [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/../../setup.py"])
def test_static_files_stay_in_their_folder(client, path):
    assert client.get(path).status_code == 404


def test_status_of_an_unknown_model_gets_404(client):
    message = _error(client.get("/v1/models/multistyle16"), 404)

    assert "serves 'multistyle16_lite'" in message
