"""Photo bytes from a request -> uint8 RGB, refusing what could hurt.

Paintings (a training job's new style) are read the same way, and must
also be large enough to learn from (`decode_painting`).

The size is read from the file's header before any pixel is decoded, so a
small file that would decode to gigabytes (a decompression bomb) is
refused cheaply. Only JPEG, PNG, WebP and BMP are opened: Pillow's other
decoders (EPS runs Ghostscript, for one) stay out of reach of a request.
EXIF orientation is applied, and any mode becomes RGB (`image_io`).
"""

import io
import warnings

from PIL import Image
from PIL import ImageOps

from multistyle.inference import style_masks
from multistyle.io import image_io

FORMATS = ("JPEG", "PNG", "WEBP", "BMP")
# Where each kind of upload goes in a request, for the "empty" message.
_FIELDS = {
    "photo": "a photo as the multipart field `image` or as the request "
             "body",
    "mask": "a mask as the multipart field `mask`",
    "painting": "a painting as the multipart field `painting`"}
# A painting's shorter side at least (fewer pixels show no brushwork),
# and its longer side at most: training reads it at 256 px, so a larger
# copy would only cost disk and decoding time in every job.
MIN_PAINTING_SIDE = 64
MAX_PAINTING_SIDE = 1024


def decode_image(data, max_pixels, what="photo"):
    """Decodes an uploaded photo.

    Args:
        data: The file's bytes.
        max_pixels: The most pixels (width x height) accepted.
        what: What the file is, for messages: `"photo"`, `"mask"` or
            `"painting"`.

    Returns:
        A uint8 RGB array, HWC.

    Raises:
        ValueError: If the bytes are empty, not a JPEG, PNG, WebP or BMP,
            truncated, or more than `max_pixels` pixels.
    """
    if not data:
        raise ValueError(
            f"No {what}: the upload is empty. Send a JPEG, PNG, WebP or BMP "
            f"file ({_FIELDS[what]}).")
    try:
        with warnings.catch_warnings():
            # Our own cap comes first; Pillow's bomb warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                pixels = image.width * image.height
                if pixels > max_pixels:
                    raise ValueError(
                        f"The {what} is {image.width}x{image.height} = "
                        f"{pixels} pixels, more than the server's limit of "
                        f"{max_pixels} (`max_pixels`). Downsize it first.")
                image.load()
                return image_io.to_rgb_array(ImageOps.exif_transpose(image))
    except ValueError:
        raise
    except Image.DecompressionBombError as e:  # Over 2x Pillow's own cap.
        raise ValueError(
            f"The {what} has far more pixels than the server's limit of "
            f"{max_pixels} (`max_pixels`): {e} Downsize it first.") from e
    except Image.UnidentifiedImageError as e:
        raise ValueError(
            f"The {what} is not a JPEG, PNG, WebP or BMP file. Send the "
            "file as it is (its bytes, not a path or a URL).") from e
    except (OSError, SyntaxError) as e:
        raise ValueError(
            f"The {what} is not a readable image ({e}). Send a complete "
            "JPEG, PNG, WebP or BMP file.") from e


def decode_mask(data, max_pixels):
    """Decodes an uploaded style mask as uint8 grayscale, HW (white 255;
    colour becomes luma), as `decode_image` reads photos.

    Raises:
        ValueError: As `decode_image`.
    """
    return style_masks.mask_from_rgb(decode_image(data, max_pixels,
                                                  what="mask"))


def decode_painting(data, max_pixels):
    """Decodes an uploaded painting, as `decode_image` reads photos, and
    shrinks it to `MAX_PAINTING_SIDE` on its longer side.

    Returns:
        A uint8 RGB array, HWC.

    Raises:
        ValueError: As `decode_image`, or if the shorter side is under
            `MIN_PAINTING_SIDE` pixels.
    """
    painting = decode_image(data, max_pixels, what="painting")
    height, width = painting.shape[:2]
    if min(height, width) < MIN_PAINTING_SIDE:
        raise ValueError(
            f"The painting is {width}x{height} pixels; a style is learned "
            f"from at least {MIN_PAINTING_SIDE} pixels on the shorter side. "
            "Send a larger picture of it.")
    if max(height, width) > MAX_PAINTING_SIDE:
        painting = image_io.resize_long_side(painting, MAX_PAINTING_SIDE)
    return painting
