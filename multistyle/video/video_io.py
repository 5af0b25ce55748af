"""Video files <-> uint8 RGB frames, with imageio-ffmpeg's bundled ffmpeg.

Frames are read and written as uint8 RGB arrays, HWC. Writing keeps the
source's audio (re-encoded for the output container) and is atomic: the
video is encoded into a temporary file beside the output and renamed when
complete, so a crash or Ctrl-C never leaves a partial file.
"""

import collections
import contextlib
import os

import numpy as np

from multistyle import errors
from multistyle.io import atomic_files

# Output containers and their (video, audio) codecs.
CODECS = {
    ".mp4": ("libx264", "aac"),
    ".m4v": ("libx264", "aac"),
    ".mov": ("libx264", "aac"),
    ".mkv": ("libx264", "aac"),
    ".webm": ("libvpx-vp9", "libopus"),
}
DEFAULT_QUALITY = 7  # imageio-ffmpeg's 1-10 scale; 7 is x264 CRF 15.

VideoInfo = collections.namedtuple(
    "VideoInfo", ["width", "height", "fps", "duration", "audio_codec"])
VideoInfo.__doc__ = """What `probe` finds out about a video file.

Attributes:
    width, height: Frame size in pixels (after the file's rotation).
    fps: Frames per second (float).
    duration: Seconds, 0 if unknown.
    audio_codec: The first audio stream's codec, or None without audio.
"""


class VideoReadError(ValueError):
    """A video file cannot be decoded."""


def _ffmpeg():
    import imageio_ffmpeg  # Only video needs it.

    return imageio_ffmpeg


def _check_exists(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file.")


def _info(path, meta):
    width, height = meta["size"]
    if not meta.get("fps"):
        raise VideoReadError(
            f"{path}: could not read the frame rate of the video.")
    return VideoInfo(width, height, float(meta["fps"]),
                     float(meta.get("duration") or 0.0),
                     meta.get("audio_codec"))


@contextlib.contextmanager
def _opened(path):
    """Yields `(meta, generator of raw frames)`; stops ffmpeg on exit."""
    _check_exists(path)
    reader = _ffmpeg().read_frames(path)
    try:
        try:
            meta = next(reader)
        except (OSError, RuntimeError, IndexError, StopIteration) as e:
            raise VideoReadError(
                f"{path}: not a readable video. ffmpeg says: "
                f"{str(e).strip()[-500:]}") from e
        yield meta, reader
    finally:
        reader.close()


def probe(path):
    """Reads a video's size, frame rate, duration and audio codec.

    Raises:
        FileNotFoundError: If there is no such file.
        VideoReadError: If the file is not a video.
    """
    with _opened(path) as (meta, _):
        return _info(path, meta)


def read_frames(path):
    """Yields a video's frames as uint8 RGB arrays, HWC.

    Raises:
        FileNotFoundError: If there is no such file.
        VideoReadError: If the file is not a video or breaks off mid-frame.
    """
    with _opened(path) as (meta, reader):
        info = _info(path, meta)
        shape = (info.height, info.width, 3)
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                return
            except RuntimeError as e:
                raise VideoReadError(f"{path}: {e}") from e
            yield np.frombuffer(raw, np.uint8).reshape(shape)


def check_paths(input_path, output_path):
    """Raises `errors.ArgumentError` (naming `input` or `output`) unless
    the input is given and neither is `-` (stdin and stdout are for
    photos), or ValueError for an output that is not a video container."""
    if not input_path:
        raise errors.ArgumentError(
            "{input} is required: the video to paint.", ("input",))
    for name, path in (("input", input_path), ("output", output_path)):
        if path == "-":
            raise errors.ArgumentError(
                f"{{{name}}} must be a video file; - (stdin or stdout) is "
                "for photos (multistyle-stylize).", (name,))
    check_output_path(output_path)


def check_output_path(path):
    """Raises ValueError unless the extension is a supported container."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in CODECS:
        raise ValueError(
            f"Cannot write video {path}: use one of "
            f"{', '.join(CODECS)}.")


def write_video(path, frames, fps, audio_from=None,
                quality=DEFAULT_QUALITY):
    """Encodes frames into a video file, atomically.

    Args:
        path: Output file; the container follows the extension (see
            `CODECS`): H.264 + AAC for .mp4/.m4v/.mov/.mkv, VP9 + Opus for
            .webm.
        frames: Iterable of uint8 RGB arrays, HWC, all of one size.
        fps: Frames per second (float or `fractions.Fraction`).
        audio_from: A file whose first audio stream is muxed in (re-encoded
            for the container), or None for a silent video.
        quality: 1 (smallest) to 10 (best), imageio-ffmpeg's scale.

    Returns:
        How many frames were written.

    Raises:
        ValueError: On an unsupported extension, no frames, or frames of
            different sizes.
    """
    check_output_path(path)
    if not 1 <= quality <= 10:
        raise ValueError(
            f"`quality` must be between 1 and 10. Received: {quality}")
    video_codec, audio_codec = CODECS[os.path.splitext(path)[1].lower()]
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f"No frames to write to {path}.")
    height, width = first.shape[:2]
    count = 0

    def write(tmp_path):
        nonlocal count
        writer = _ffmpeg().write_frames(
            tmp_path, (width, height), fps=fps, codec=video_codec,
            quality=quality, macro_block_size=1,
            # 4:2:0 chroma needs even sizes; keep odd ones exact in 4:4:4.
            pix_fmt_out="yuv420p" if width % 2 == 0 and height % 2 == 0
            else "yuv444p",
            audio_path=audio_from,
            audio_codec=audio_codec if audio_from else None)
        try:
            writer.send(None)  # Starts ffmpeg.
            for frame in _chain(first, frames):
                if frame.shape != first.shape:
                    raise ValueError(
                        f"Frame {count} is {frame.shape[1]}x"
                        f"{frame.shape[0]} but the video is "
                        f"{width}x{height}.")
                writer.send(np.ascontiguousarray(frame, np.uint8))
                count += 1
        finally:
            writer.close()  # Waits for ffmpeg to finish the file.
        # imageio-ffmpeg does not check ffmpeg's exit status.
        try:
            probe(tmp_path)
        except VideoReadError as e:
            raise RuntimeError(
                f"ffmpeg failed to write {path} (see its messages above)."
            ) from e

    atomic_files.atomic_write(path, write, suffix=os.path.splitext(path)[1])
    return count


def _chain(first, rest):
    yield first
    yield from rest
