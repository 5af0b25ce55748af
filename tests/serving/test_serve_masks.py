"""Style masks over the API: a grayscale mask picks between two styles.

Per-pixel weights need the Keras (or SavedModel) network, so these paint
with the tiny `model.keras` (quick to compile on JAX).
"""

import numpy as np
import pytest

from multistyle.inference import style_masks
from multistyle.serving import thumbnails
from tests.serving.conftest import decoded
from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array


def _half_mask(height, width):
    """White on the left half, black on the right, as uint8 RGB."""
    mask = np.zeros((height, width, 3), np.uint8)
    mask[:, :width // 2] = 255
    return mask


MASK_STYLES = "great_wave,composition_vii"
# Every masked painting in these tests (and the page's) is of this size,
# the thumbnails' swatch's: on JAX, each network then compiles once.
MASK_TEST_SIZE = (thumbnails.SWATCH_SIZE, thumbnails.SWATCH_SIZE)


@pytest.fixture
def client(serve, keras_painter):
    with serve(keras_painter, preview_size=max(MASK_TEST_SIZE)) as test_client:
        yield test_client


def _post(client, photo, mask, **fields):
    return client.post(
        "/v1/stylize",
        files={"image": ("photo", encoded(photo)),
               "mask": ("mask", encoded(mask))},
        data={"mask_styles": MASK_STYLES, **fields})


def test_mask_paints_each_region_in_its_style(client, keras_painter):
    photo = photo_array(*MASK_TEST_SIZE)
    # Half the photo's size: resized to it.
    mask = _half_mask(*(side // 2 for side in MASK_TEST_SIZE))

    response = _post(client, photo, mask)

    mixes = style_masks.parse_styles(MASK_STYLES, keras_painter.style_names)
    weights = style_masks.weight_map(
        [style_masks.resize(mask[..., :1] / 255.0, *MASK_TEST_SIZE)[..., 0]],
        mixes)
    expected = np.asarray(keras_painter.full.stylize(photo, weights))
    assert response.status_code == 200, response.text
    np.testing.assert_array_equal(decoded(response.content), expected)


def test_mask_preview_is_painted_at_the_preview_size(client):
    twice = tuple(2 * side for side in MASK_TEST_SIZE)
    response = _post(client, photo_array(*twice), _half_mask(*twice),
                     preview="true")

    assert decoded(response.content).shape[:2] == MASK_TEST_SIZE


@pytest.mark.parametrize("fields, files, message", [
    ({"mask_styles": MASK_STYLES}, {}, "`mask_styles` needs `mask`"),
    ({}, {"mask": True}, "`mask` needs `mask_styles`"),
    ({"mask_styles": MASK_STYLES, "weights": "great_wave=1"},
     {"mask": True}, "not both"),
    ({"mask_styles": MASK_STYLES, "style": "udnie"}, {"mask": True},
     "Give either `style` or `mask`, not both."),
    ({"mask_styles": "great_wave"}, {"mask": True}, "takes two styles"),
    ({"mask_styles": "great_wave,mona_lisa"}, {"mask": True},
     "Unknown style 'mona_lisa'"),
    ({"mask_styles": MASK_STYLES}, {"mask": b"not an image"},
     "The mask is not a JPEG, PNG, WebP or BMP file"),
])
def test_bad_masks_get_400(client, fields, files, message):
    mask = encoded(_half_mask(48, 64))
    files = {name: ("mask", mask if value is True else value)
             for name, value in files.items()}
    files["image"] = ("photo", encoded(photo_array()))

    response = client.post("/v1/stylize", files=files, data=fields)

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_mask_cannot_be_a_query_parameter(client):
    response = client.post("/v1/stylize?mask=/etc/passwd",
                           content=encoded(photo_array()))

    assert response.status_code == 400
    assert "`mask` cannot be a query parameter" in response.json()["error"]
