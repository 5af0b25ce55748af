"""A `POST /v1/stylize` request -> the photo's bytes and how to paint it.

The photo comes as the multipart field `image` or as the whole request
body (whatever its content type says); the options as multipart fields or
query parameters (not both for one option):

- `weights`: `name=value,...` or one value per style (`0.5,0.5,0,...`,
  brackets allowed); or `style`: one style by name or index. Neither:
  the first style. `normalize` (default true) scales weights to sum 1.
- `strength` (0 to 1), `preserve_color` (true/false), `stroke_scale`
  (0.25 to 8), `max_size` (long side, pixels).
- `preview` (true/false): paint with the fast preview model, at the
  server's preview size unless `max_size` says otherwise.
- `format`: `png` (default) or `jpeg`.
- `mask` (a multipart file, grayscale; resized to the photo) with
  `mask_styles` (two styles or mixes, `udnie,great_wave` or `a=1,b=1;c`):
  white paints the first, black the second, gray blends (`style_masks`);
  instead of `weights` or `style`.

Unknown fields are refused, so a typo is not silently ignored. Nothing
from a request names a file: the photo is bytes in memory.
"""

import dataclasses

from starlette import datastructures
from starlette import exceptions

from multistyle.inference import style_choice
from multistyle.inference import stylizer as stylizer_lib
from multistyle.serving import errors
from multistyle.serving import painter as painter_lib

FIELDS = ("image", "weights", "style", "normalize", "strength",
          "preserve_color", "stroke_scale", "max_size", "preview", "format",
          "mask", "mask_styles")
_FILE_FIELDS = ("image", "mask")
FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG"}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclasses.dataclass(frozen=True)
class StylizeRequest:
    """A parsed `/v1/stylize` request.

    Args:
        image: The photo's bytes (not decoded yet: that is painting work).
        options: A `painter.PaintOptions`.
        format: `"PNG"` or `"JPEG"`.
        mask: The style mask's bytes, or None.
    """

    image: bytes
    options: painter_lib.PaintOptions
    format: str
    mask: bytes | None = None


def _bool(name, text):
    value = text.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ValueError(f"`{name}` must be true or false. Received: "
                     f"{name}={text!r}")


def _number(name, text, kind=float):
    try:
        return kind(text.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"`{name}` must be {what}. Received: "
                         f"{name}={text!r}") from None


async def _fields(request):
    """The request's fields (form and query, each given once) and the
    photo's bytes."""
    fields = {}
    for name, value in request.query_params.multi_items():
        if name in fields:
            raise ValueError(f"`{name}` is given more than once.")
        fields[name] = value
    content_type = request.headers.get("content-type", "")
    # A urlencoded form cannot carry a file; it is what `curl
    # --data-binary` labels a photo, so it counts as a raw body.
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=len(_FILE_FIELDS),
                                      max_fields=len(FIELDS))
        except exceptions.HTTPException as e:
            raise ValueError(
                f"Cannot read the form ({e.detail}). Send one file, as the "
                "field `image` (and a mask as `mask`), and the options as "
                "text fields.") from e
        try:
            for name, value in form.multi_items():
                if name in fields:
                    raise ValueError(
                        f"`{name}` is given more than once (as a form "
                        "field and a query parameter, or twice).")
                if isinstance(value, datastructures.UploadFile):
                    if name not in _FILE_FIELDS:
                        raise ValueError(
                            f"Only the fields `image` and `mask` may be "
                            f"files. Received a file as `{name}`.")
                    value = await value.read()
                fields[name] = value
        finally:
            await form.close()
        fields.setdefault("image", b"")  # Missing: "the upload is empty".
        for name in _FILE_FIELDS:
            if not isinstance(fields.get(name, b""), bytes):
                raise ValueError(f"The field `{name}` must be a file upload.")
    else:
        for name in _FILE_FIELDS:
            if name in fields:
                raise ValueError(
                    f"`{name}` cannot be a query parameter: send the photo "
                    "as the request body or as the multipart field `image` "
                    "(with a mask, as multipart fields `image` and `mask`).")
        fields["image"] = await request.body()
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(
            f"Unknown field(s) {', '.join(unknown)}. The fields are: "
            f"{', '.join(FIELDS)}.")
    return fields


def _weights(fields, painter):
    """`(weights, mask_mixes)`: a vector, or the two mixes of a mask."""
    weights = fields.get("weights")
    choice = style_choice.resolve(
        painter.style_names,
        weights=None if weights is None else weights.strip().strip("[]"),
        style=fields.get("style"), mask=fields.get("mask"),
        mask_styles=fields.get("mask_styles"),
        normalize=_bool("normalize", fields.get("normalize", "true")))
    if choice.mask_mixes is None:
        return choice.weights, None
    if len(choice.mask_mixes) != 2:
        raise ValueError(
            "`mask_styles` takes two styles or mixes (white, black). "
            f"Received {len(choice.mask_mixes)}: "
            f"mask_styles={fields['mask_styles']!r}")
    return None, tuple(choice.mask_mixes)


def _options(fields, painter, preview_size):
    weights, mask_mixes = _weights(fields, painter)
    preview = _bool("preview", fields.get("preview", "false"))
    max_size = fields.get("max_size")
    max_size = (_number("max_size", max_size, int) if max_size is not None
                else preview_size if preview else None)
    options = painter_lib.PaintOptions(
        weights=weights, mask_mixes=mask_mixes,
        strength=_number("strength", fields.get("strength", "1")),
        preserve_color=_bool("preserve_color",
                             fields.get("preserve_color", "false")),
        stroke_scale=_number("stroke_scale",
                             fields.get("stroke_scale", "1")),
        max_size=max_size, preview=preview)
    stylizer_lib.check_options(options.strength, options.max_size,
                               stroke_scale=options.stroke_scale)
    return options


async def parse(request, painter, preview_size):
    """Reads a `/v1/stylize` request (see the module docstring).

    Args:
        request: A Starlette request.
        painter: The `Painter` (its style names check the weights).
        preview_size: Long side of previews without `max_size`.

    Returns:
        A `StylizeRequest`.

    Raises:
        ApiError: 400, saying which field was wrong and what it takes
            (the style weights' errors list the valid names).
    """
    try:
        fields = await _fields(request)
        fmt = fields.get("format", "png").strip().lower()
        if fmt not in FORMATS:
            raise ValueError(f"`format` must be png or jpeg. Received: "
                             f"format={fmt!r}")
        return StylizeRequest(image=fields["image"],
                              options=_options(fields, painter, preview_size),
                              format=FORMATS[fmt], mask=fields.get("mask"))
    except ValueError as e:
        raise errors.bad_request(e) from e
