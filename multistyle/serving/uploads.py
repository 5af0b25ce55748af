"""Photo bytes from a request -> uint8 RGB, refusing what could hurt.

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


def decode_image(data, max_pixels, what="photo"):
    """Decodes an uploaded photo.

    Args:
        data: The file's bytes.
        max_pixels: The most pixels (width x height) accepted.
        what: What the file is, for messages: `"photo"` or `"mask"`.

    Returns:
        A uint8 RGB array, HWC.

    Raises:
        ValueError: If the bytes are empty, not a JPEG, PNG, WebP or BMP,
            truncated, or more than `max_pixels` pixels.
    """
    if not data:
        raise ValueError(
            f"No {what}: the upload is empty. Send a JPEG, PNG, WebP or BMP "
            "file (a photo as the multipart field `image` or as the request "
            "body, a mask as the multipart field `mask`).")
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
