"""TensorFlow Serving's REST predict API for our signature.

Client code written for TF Serving works here unchanged, and the same
SavedModel moves to TF Serving when one machine is not enough
(docs/tf-serving.md). The request body is JSON, in one of TF Serving's two formats:

- row: `{"instances": [{"images": HxWx3, "style_weights": [S]}, ...]}`,
  one object per image (all images of one size: they form a batch);
- columnar: `{"inputs": {"images": NxHxWx3, "style_weights": NxS}}`.

`images` are integers 0-255 (uint8), `style_weights` one non-negative
number per style, used as given (the signature does not normalize).
`signature_name`, if given, must be `serving_default`. The answer is as
TF Serving's for a signature with one output: `{"predictions": [HxWx3,
...]}` for rows, `{"outputs": NxHxWx3}` for columns.
"""

import json

import numpy as np

from multistyle.inference import style_weights
from multistyle.model_folder import folder_io

INPUT_NAMES = ("images", "style_weights")


def _image_batch(value, max_pixels):
    try:
        images = np.asarray(value)
    except ValueError as e:  # Ragged lists.
        raise ValueError(f"`images` must be a regular nested list: {e}")
    if images.ndim != 4 or images.shape[-1] != 3 or 0 in images.shape:
        raise ValueError(
            "`images` must be uint8 RGB of shape [batch, height, width, 3] "
            "(one [height, width, 3] per instance). Received: shape="
            f"{list(images.shape)}")
    integers = images.dtype.kind in "iu"
    if not integers or images.min() < 0 or images.max() > 255:
        received = (f"values from {images.min()} to {images.max()}"
                    if integers else f"{images.dtype} values")
        raise ValueError(
            "`images` must hold whole numbers from 0 to 255 (uint8). "
            f"Received: {received}")
    pixels = images.shape[0] * images.shape[1] * images.shape[2]
    if pixels > max_pixels:
        raise ValueError(
            f"The request holds {pixels} pixels, more than the server's "
            f"limit of {max_pixels} (`max_pixels`). Send fewer or smaller "
            "images.")
    return images.astype(np.uint8)


def _weight_batch(value, style_names, batch):
    try:
        weights = np.asarray(value, np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"`style_weights` must be numbers: {e}")
    if weights.shape != (batch, len(style_names)):
        raise ValueError(
            f"`style_weights` must have shape [batch, {len(style_names)}] "
            f"(one value per style: {', '.join(style_names)}), batch "
            f"{batch} as `images`. Received: shape={list(weights.shape)}")
    return np.stack([style_weights.parse(list(row), style_names,
                                         normalize=False)
                     for row in weights])


def _stack_instances(instances):
    if not isinstance(instances, list) or not instances:
        raise ValueError("`instances` must be a non-empty list.")
    columns = {name: [] for name in INPUT_NAMES}
    for i, instance in enumerate(instances):
        if not isinstance(instance, dict) or set(instance) != set(
                INPUT_NAMES):
            raise ValueError(
                f"Instance {i} must be an object with exactly the inputs "
                f"{', '.join(INPUT_NAMES)}.")
        for name in INPUT_NAMES:
            columns[name].append(instance[name])
    shapes = {np.shape(image) for image in columns["images"]}
    if len(shapes) > 1:
        raise ValueError(
            "All instances' images must have the same shape: TF Serving "
            f"batches them. Received shapes {sorted(shapes)}; send "
            "differently sized images in separate requests.")
    return columns


def parse_predict(body, style_names, max_pixels):
    """Reads a predict request body.

    Args:
        body: The request's bytes (JSON).
        style_names: The model's style names, in column order.
        max_pixels: The most pixels, all images together.

    Returns:
        `(images, weights, columnar)`: uint8 `(batch, H, W, 3)`, float32
        `(batch, num_styles)`, and whether the request was columnar.

    Raises:
        ValueError: On malformed JSON, a wrong signature, or inputs of the
            wrong shape, type or range.
    """
    try:
        request = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"The request body must be JSON: {e}") from None
    if not isinstance(request, dict):
        raise ValueError('The request must be a JSON object with '
                         '"instances" or "inputs".')
    signature = request.get("signature_name", folder_io.SIGNATURE_KEY)
    if signature != folder_io.SIGNATURE_KEY:
        raise ValueError(
            f"Unknown signature_name {signature!r}; this server has "
            f"{folder_io.SIGNATURE_KEY!r}.")
    unknown = set(request) - {"signature_name", "instances", "inputs"}
    if unknown or ("instances" in request) == ("inputs" in request):
        raise ValueError(
            'Give exactly one of "instances" (row format) or "inputs" '
            f'(columnar), and "signature_name" at most. Received keys: '
            f"{sorted(request)}")
    columnar = "inputs" in request
    if columnar:
        inputs = request["inputs"]
        if not isinstance(inputs, dict) or set(inputs) != set(INPUT_NAMES):
            raise ValueError(
                '"inputs" must be an object with exactly the inputs '
                f"{', '.join(INPUT_NAMES)}.")
    else:
        inputs = _stack_instances(request["instances"])
    images = _image_batch(inputs["images"], max_pixels)
    weights = _weight_batch(inputs["style_weights"], style_names,
                            len(images))
    return images, weights, columnar


def predict_response(outputs, columnar):
    """The response body (JSON bytes) for uint8 outputs `(batch, H, W,
    3)`, in the request's format."""
    key = "outputs" if columnar else "predictions"
    return json.dumps({key: outputs.tolist()},
                      separators=(",", ":")).encode()


def status_response():
    """`GET /v1/models/<name>`: TF Serving's model status, one version."""
    return {"model_version_status": [{
        "version": "1", "state": "AVAILABLE",
        "status": {"error_code": "OK", "error_message": ""}}]}
