"""Stylizes videos frame by frame with a constant mix, keyframes or masks.

Frames go through the network in batches. The style weights of a frame
come from one of:

- a weight vector `(num_styles,)`: the same mix on every frame;
- a list of `keyframes.Keyframe`: a mix that changes over time, taken at
  each frame's time (`index / fps` seconds);
- style masks (`style_masks.StyleMasks`) or a per-pixel weight map
  `(height, width, num_styles)`: regions painted in different styles, on
  every frame (the map is made once, at the size the frames are painted).

An optional smoother then reduces flicker (`make_smoother`): by default
`flow_guided_smoother.FlowGuidedSmoother`, which follows the motion with
optical flow; `temporal_smoothing.MotionAwareSmoother` blends only where
nothing moves. `stylize_video` writes the result with the source's audio
and frame rate (`video_io`).
"""

import os

import numpy as np

from multistyle.io import image_io
from multistyle.video import keyframes as keyframes_lib
from multistyle.inference import stroke_scale as stroke_scale_lib
from multistyle.inference import style_masks
from multistyle.video import flow_guided_smoother
from multistyle.video import temporal_smoothing
from multistyle.video import video_io

DEFAULT_BATCH_SIZE = 4
# `make_smoother` methods: "flow" follows the motion (optical flow), "static"
# blends only where the source did not change.
SMOOTHING_METHODS = ("flow", "static")
DEFAULT_SMOOTHING_METHOD = "flow"


def _batches(frames, size):
    batch = []
    for frame in frames:
        batch.append(frame)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def make_smoother(smoothing_method=DEFAULT_SMOOTHING_METHOD, strength=0.0,
                  motion_threshold=temporal_smoothing.DEFAULT_THRESHOLD):
    """The flicker filter `stylize_frames` takes, or None for strength 0.

    Args:
        smoothing_method: One of `SMOOTHING_METHODS`: `"flow"` for
            `flow_guided_smoother.FlowGuidedSmoother`, `"static"` for
            `temporal_smoothing.MotionAwareSmoother`.
        strength: Share of the previous output kept, in [0, 1); 0 off.
        motion_threshold: The `"static"` filter's threshold.

    Raises:
        ValueError: On an unknown method or a bad strength or threshold.
    """
    if smoothing_method not in SMOOTHING_METHODS:
        raise ValueError(
            f"`smoothing_method` must be one of {SMOOTHING_METHODS}. "
            f"Received: smoothing_method={smoothing_method!r}")
    # Checks the strength and the threshold, whichever method runs.
    static = temporal_smoothing.MotionAwareSmoother(strength,
                                                    motion_threshold)
    if not strength:
        return None
    if smoothing_method == "static":
        return static
    return flow_guided_smoother.FlowGuidedSmoother(strength)


def check_options(batch_size=DEFAULT_BATCH_SIZE, smoothing=0.0,
                  motion_threshold=temporal_smoothing.DEFAULT_THRESHOLD,
                  quality=video_io.DEFAULT_QUALITY, stroke_scale=1.0,
                  smoothing_method=DEFAULT_SMOOTHING_METHOD):
    """Raises ValueError unless `stylize_video` accepts these options; lets
    a tool fail before loading its model."""
    stroke_scale_lib.check_stroke_scale(stroke_scale)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            "`batch_size` must be a positive integer. Received: "
            f"batch_size={batch_size}")
    make_smoother(smoothing_method, smoothing, motion_threshold)
    if not 1 <= quality <= 10:
        raise ValueError(
            f"`quality` must be between 1 and 10. Received: "
            f"quality={quality}")


def weights_at(weights, time):
    """A frame's style weights: a constant vector or map, or keyframes
    eased at `time` seconds."""
    if isinstance(weights, (list, tuple)):
        return keyframes_lib.weights_at(weights, time)
    return weights


def _frame_masks(weights, height, width):
    """The style masks or per-pixel map of `weights` (see
    `style_masks.per_pixel`), checked against the frames' size; None for
    a weight vector or keyframes."""
    if isinstance(weights, (list, tuple)):
        return None
    masks = style_masks.per_pixel(weights)
    if masks is not None:
        style_masks.check_size(masks, height, width, "the video frames")
    return masks


def stylize_frames(network, frames, weights, fps,
                   batch_size=DEFAULT_BATCH_SIZE, smoother=None,
                   preserve_color=False, stroke_scale=1.0):
    """Yields the stylized frames of a sequence of frames.

    Args:
        network: `network(images, style_weights)` as from
            `networks.load_network` (uint8 RGB, NHWC, any size, in;
            float32 RGB in [0, 1] out); with masks also given `styles=`,
            the styles the weights' channels stand for.
        frames: Iterable of uint8 RGB frames, HWC, all of one size.
        weights: A weight vector, a list of keyframes, or style masks or
            a per-pixel weight map of the frames' size (see the module
            docstring).
        fps: Frames per second: frame `i` is at `i / fps` seconds.
        batch_size: Frames per forward pass. The last batch is padded to
            this size so the compiled network is reused.
        smoother: Optional flicker filter, `smoother(source, stylized)`
            (see `make_smoother`).
        preserve_color: Keep the frames' colours, take only the stylized
            luminance.
        stroke_scale: Stroke size, 1 the network's own; see
            `stroke_scale`: frames are painted at 1/S of their size.

    Yields:
        uint8 RGB frames, HWC, in order.

    Raises:
        ValueError: If `batch_size` is not positive or a weight map does
            not have the frames' size.
    """
    check_options(batch_size, stroke_scale=stroke_scale)
    rescaled = float(stroke_scale) != 1.0
    masks, styles = None, {}
    start = 0
    for batch in _batches(frames, batch_size):
        images = np.stack([stroke_scale_lib.shrink(f, stroke_scale)
                           for f in batch] if rescaled else batch)
        if start == 0:
            masks = _frame_masks(weights, *batch[0].shape[:2])
            if masks is not None:  # One map for all frames, painted size.
                styles = {"styles": masks.styles}
                frame_map = masks.weight_map(images.shape[1:3],
                                             masks.styles)
        if masks is not None:
            batch_weights = np.repeat(frame_map[None], len(batch), 0)
        else:
            batch_weights = np.stack([weights_at(weights, (start + i) / fps)
                                      for i in range(len(batch))])
        pad = batch_size - len(batch)
        if pad:
            images = np.concatenate([images, np.repeat(images[-1:], pad, 0)])
            batch_weights = np.concatenate(
                [batch_weights, np.repeat(batch_weights[-1:], pad, 0)])
        painted = network(images, batch_weights, **styles)
        for source, out in zip(batch, painted[:len(batch)]):
            if rescaled:
                out = stroke_scale_lib.restore(source, out)
            if preserve_color:
                out = image_io.with_luma_of(image_io.to_float(source), out)
            if smoother is not None:
                out = smoother(source, out)
            yield image_io.to_uint8(out)
        start += len(batch)


def stylize_video(network, input_path, output_path, weights,
                  batch_size=DEFAULT_BATCH_SIZE, smoothing=0.0,
                  motion_threshold=temporal_smoothing.DEFAULT_THRESHOLD,
                  preserve_color=False, quality=video_io.DEFAULT_QUALITY,
                  stroke_scale=1.0, on_frame=None,
                  smoothing_method=DEFAULT_SMOOTHING_METHOD):
    """Stylizes a video file into another, keeping frame rate and audio.

    The output is written atomically (see `video_io.write_video`).

    Args:
        network: As for `stylize_frames`.
        input_path: A video file ffmpeg can read.
        output_path: .mp4, .m4v, .mov, .mkv or .webm file to write.
        weights: As for `stylize_frames`.
        batch_size: Frames per forward pass.
        smoothing: Flicker filter strength in [0, 1); 0 off.
        motion_threshold: The `"static"` filter's threshold (source change
            counted as motion).
        preserve_color: Keep the frames' colours.
        quality: 1 to 10, the encoder's quality (imageio-ffmpeg scale).
        stroke_scale: Stroke size, as for `stylize_frames`.
        on_frame: Optional callback `on_frame(frames_done)`.
        smoothing_method: One of `SMOOTHING_METHODS` (see
            `make_smoother`).

    Returns:
        The `video_io.VideoInfo` of the input and the number of frames
        written, as a tuple.

    Raises:
        VideoReadError: If the input cannot be read.
        ValueError: On bad options, an output path equal to the input, or
            a mask of another size than the frames.
    """
    check_options(batch_size, smoothing, motion_threshold, quality,
                  stroke_scale, smoothing_method)
    video_io.check_output_path(output_path)
    if os.path.exists(output_path) and os.path.exists(input_path) and \
            os.path.samefile(input_path, output_path):
        raise ValueError(
            f"The output {output_path} is the input video; choose another "
            "path.")
    smoother = make_smoother(smoothing_method, smoothing, motion_threshold)
    info = video_io.probe(input_path)
    _frame_masks(weights, info.height, info.width)

    def frames():
        stylized = stylize_frames(
            network, video_io.read_frames(input_path), weights, info.fps,
            batch_size=batch_size, smoother=smoother,
            preserve_color=preserve_color, stroke_scale=stroke_scale)
        for done, frame in enumerate(stylized, start=1):
            yield frame
            if on_frame is not None:
                on_frame(done)

    count = video_io.write_video(
        output_path, frames(), info.fps,
        audio_from=input_path if info.audio_codec else None,
        quality=quality)
    return info, count
