"""Image files <-> arrays: finding, PIL decoding, mode conversion, saving.

The one place for the conversions every image takes: any PIL mode to uint8
RGB (`to_rgb_array`, `as_rgb_array`), uint8 [0, 255] <-> float32 [0, 1]
(`to_float`, `to_uint8`; `as_float`, `as_uint8` take either), and which
files count as images (`find_images`).
"""

import glob
import os

import numpy as np
from PIL import Image
from PIL import ImageOps

from multistyle.io import atomic_files

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
# Refuse images that would decode to more pixels than this (decompression
# bombs, or a mistaken input); 20000 x 20000 fits, 50000 x 50000 does not.
MAX_PIXELS = 400_000_000
# ITU-R BT.601 luma weights of R, G, B (`luma`).
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)


class ImageReadError(ValueError):
    """An image file is unreadable, truncated or too large."""


def find_images(path):
    """Image files under a folder (recursive), matching a glob, or one file.

    Args:
        path: A folder (searched recursively; its name is taken literally,
            not as a pattern), a glob pattern (`**` matches subfolders),
            or a file.

    Returns:
        The sorted paths with an extension in `IMAGE_EXTENSIONS`.
    """
    if os.path.isdir(path):
        candidates = glob.glob(os.path.join(glob.escape(path), "**", "*"),
                               recursive=True)
    else:
        candidates = glob.glob(path, recursive=True)
    return sorted(p for p in candidates if os.path.isfile(p)
                  and p.lower().endswith(IMAGE_EXTENSIONS))


def split_holdout(files, every):
    """Splits sorted files into (training, held out): every `every`-th file
    (0, every, 2*every, ...) is held out; `every=0` holds out nothing.
    Training, evaluation and int8 calibration share this rule
    (`--holdout_every`)."""
    if every < 0:
        raise ValueError(f"holdout_every must be >= 0. Received: {every}")
    if every == 0:
        return list(files), []
    return ([f for i, f in enumerate(files) if i % every],
            [f for i, f in enumerate(files) if not i % every])


def _to_rgb(image):
    """Converts any PIL mode (L, LA, P, RGBA, I;16, I, F, CMYK) to RGB.

    Transparent pixels are composited on white; 16-bit and float images are
    rescaled to 8 bits from their full range.
    """
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or array.max() > 255 \
            else 255.0
        image = Image.fromarray(
            np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8))
    elif image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        top = 1.0 if array.max() <= 1.0 else 255.0
        image = Image.fromarray(
            np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def to_rgb_array(image):
    """A PIL image of any mode as a uint8 RGB array, HWC (see `_to_rgb`)."""
    return np.asarray(_to_rgb(image))


def load_image(path):
    """Reads an image file as uint8 RGB, HWC.

    Grayscale, palette, RGBA (on white), CMYK and 16-bit images are
    converted. EXIF orientation is applied.

    Args:
        path: Path of a JPEG, PNG, WebP or BMP file.

    Returns:
        A uint8 numpy array of shape `(height, width, 3)`.

    Raises:
        FileNotFoundError: If there is no such file.
        ImageReadError: If the file is not an image, truncated, or larger
            than `MAX_PIXELS`.
    """
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageReadError(
                    f"{path}: {image.width}x{image.height} pixels is more "
                    f"than the {MAX_PIXELS} this tool reads; downscale it "
                    "first.")
            image.load()
            image = ImageOps.exif_transpose(image)
            return np.asarray(_to_rgb(image))
    except ImageReadError:
        raise
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{path}: no such file.") from e
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise ImageReadError(
            f"{path}: not a readable image ({e}). Check that the file is a "
            "complete JPEG, PNG, WebP or BMP.") from e


def as_rgb_array(image):
    """A path, PIL image or numpy array as a uint8 RGB array, HWC.

    Grayscale, RGBA (composited on white), palette and 16-bit images are
    converted. Arrays may be HW or HWC with 1, 3 or 4 channels.

    Raises:
        FileNotFoundError: If a path does not exist.
        ImageReadError: If a path cannot be read as an image.
        ValueError: If an array has an unsupported shape or dtype.
    """
    if isinstance(image, (str, os.PathLike)):
        return load_image(os.fspath(image))
    if isinstance(image, Image.Image):
        return to_rgb_array(image)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[-1] == 3 and array.dtype == np.uint8:
        return array
    try:
        return to_rgb_array(Image.fromarray(array))
    except (TypeError, ValueError) as e:
        raise ValueError(
            "Expected an image as a uint8 HWC array with 1, 3 or 4 "
            f"channels. Received: shape={array.shape}, dtype={array.dtype}"
        ) from e


def to_float(images):
    """uint8 [0, 255] -> float32 [0, 1], any layout."""
    return np.asarray(images, dtype=np.float32) / 255.0


def to_uint8(images):
    """float [0, 1] -> uint8 [0, 255], rounded and clipped, any layout."""
    return np.clip(np.asarray(images, dtype=np.float32) * 255.0 + 0.5,
                   0, 255).astype(np.uint8)


def as_float(images):
    """Images as float32 in [0, 1], any layout: uint8 ones through
    `to_float`, float ones (already in [0, 1]) as they are."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return to_float(images)
    return images.astype(np.float32, copy=False)


def as_uint8(images):
    """Images as uint8 in [0, 255], any layout: float ones (in [0, 1])
    through `to_uint8`, uint8 ones as they are."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return to_uint8(images)


def luma(images):
    """BT.601 luma `Y = 0.299 R + 0.587 G + 0.114 B` (the Y of JPEG's
    YCbCr) of float RGB images, any layout with channels last; the result
    drops the channel axis."""
    return np.asarray(images, np.float32) @ LUMA_WEIGHTS


def with_luma_of(original, stylized):
    """`original`'s colours with `stylized`'s luminance, float RGB in
    [0, 1], HWC: the photo plus the change of BT.601 luma (`luma`),
    clipped."""
    return np.clip(original + (luma(stylized) - luma(original))[..., None],
                   0.0, 1.0)


def save_image(path, image):
    """Writes a uint8 HWC RGB array (or PIL image) atomically; the format
    follows the extension (.jpg is saved at quality 95)."""
    if not isinstance(image, Image.Image):
        image = Image.fromarray(np.asarray(image, dtype=np.uint8))
    ext = os.path.splitext(path)[1].lower()
    if ext not in IMAGE_EXTENSIONS:
        raise ValueError(
            f"Cannot save {path}: use one of {', '.join(IMAGE_EXTENSIONS)}.")
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG"}.get(ext, ext[1:].upper())
    options = {"quality": 95} if fmt == "JPEG" else {}
    atomic_files.atomic_write(
        path, lambda tmp: image.save(tmp, format=fmt, **options), suffix=ext)


def _resize_by(image, scale):
    height, width = image.shape[:2]
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(image).resize(
        new_size, Image.Resampling.LANCZOS))


def resize_float(image, height, width,
                 resample=Image.Resampling.BILINEAR, box=None):
    """Resizes a float HW or HWC array (any number of channels, e.g.
    style weights) channel by channel in PIL's float mode "F".

    Args:
        image: float array, HW or HWC.
        height, width: The new size.
        resample: A `PIL.Image.Resampling` filter.
        box: Optional `(left, upper, right, lower)` region of `image` to
            scale, as for `PIL.Image.Image.resize`; the filter still reads
            pixels around it, as the whole image's resize would.

    Returns:
        float32, HW or HWC as `image`.
    """
    image = np.asarray(image, np.float32)
    if box is None and image.shape[:2] == (height, width):
        return image
    if image.ndim == 2:
        return np.asarray(Image.fromarray(np.ascontiguousarray(image),
                                          "F").resize((width, height),
                                                      resample, box=box))
    return np.stack([resize_float(image[..., c], height, width, resample, box)
                     for c in range(image.shape[-1])], axis=-1)


def resize_short_side(image, size):
    """Resizes a uint8 HWC array so its shorter side is `size` (Lanczos)."""
    return _resize_by(image, size / min(image.shape[:2]))


def resize_long_side(image, size):
    """Resizes a uint8 HWC array so its longer side is `size` (Lanczos)."""
    return _resize_by(image, size / max(image.shape[:2]))
