"""Video: reading and writing (video_io), stylizing frames with keyframes
and masks (video_stylizer), and multistyle-video end to end."""

import functools
import os
import subprocess
import sys
import wave

import imageio_ffmpeg
import numpy as np
import pytest

from multistyle.video import keyframes
from multistyle.video import video_io
from multistyle.video import video_stylizer
from multistyle.cli import video as video_cli
from tests.conftest import REPO_ROOT

NUM_FRAMES, HEIGHT, WIDTH, FPS = 10, 32, 48, 10


def _write_clip(path, audio=True):
    """Moving shapes over a gradient, a 440 Hz tone on the audio track."""
    wav = None
    if audio:
        wav = str(path) + ".wav"
        rate = 16000
        t = np.arange(rate * NUM_FRAMES // FPS) / rate
        with wave.open(wav, "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(2)
            f.setframerate(rate)
            f.writeframes((0.3 * 32767 * np.sin(2 * np.pi * 440 * t))
                          .astype("<i2").tobytes())
    writer = imageio_ffmpeg.write_frames(
        str(path), (WIDTH, HEIGHT), fps=FPS, quality=10, macro_block_size=1,
        audio_path=wav, audio_codec="aac" if audio else None,
        ffmpeg_log_level="error")
    writer.send(None)
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    for i in range(NUM_FRAMES):
        frame = np.stack([xx * 5, yy * 3 + 40, 255 - yy * 7], -1)
        frame[(yy - 10) ** 2 + (xx - 6 - 3 * i) ** 2 < 30] = (255, 255, 0)
        frame[20 + i // 2:28 + i // 2, 30:40] = (20, 20, 200)
        writer.send(np.ascontiguousarray(frame.astype(np.uint8)))
    writer.close()
    return str(path)


def _has_audio_stream(path):
    info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner",
                           "-i", str(path)], capture_output=True, text=True)
    return any("Audio:" in line for line in info.stderr.splitlines()
               if "Stream #" in line)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return _write_clip(tmp_path_factory.mktemp("video") / "clip.mp4")


@pytest.fixture
def run_video_cli(run_cli):
    """Runs `multistyle-video ARGS` in this process: (code, out, err)."""
    return functools.partial(run_cli, video_cli.run)


def test_cli_keeps_frame_count_size_fps_and_audio(run_video_cli, clip,
                                                  model_dir, tmp_path):
    output = tmp_path / "out.mp4"

    code, out, err = run_video_cli(
        f"--input={clip}", f"--output={output}", f"--model={model_dir}",
        "--keyframes=0:starry_night;0.6:great_wave", "--batch_size=4",
        "--temporal_smoothing=0.8")

    assert code == 0, err
    assert "10 frames at 10 fps with audio" in out
    info = video_io.probe(str(output))
    assert (info.width, info.height, info.fps) == (WIDTH, HEIGHT, FPS)
    assert imageio_ffmpeg.count_frames_and_secs(str(output))[0] == NUM_FRAMES
    assert info.audio_codec == "aac" and _has_audio_stream(output)
    assert os.listdir(tmp_path) == ["out.mp4"]  # No temporary files left.


def test_keyframe_frames_equal_still_image_results(clip, stylizer):
    frames = list(video_io.read_frames(clip))
    schedule = keyframes.parse(
        "0:starry_night;0.4:great_wave=1,composition_vii=1;0.8:great_wave",
        stylizer.style_names)

    painted = list(video_stylizer.stylize_frames(
        stylizer.network, frames, schedule, FPS, batch_size=3))

    assert len(painted) == NUM_FRAMES
    for index, keyframe in zip([0, 4, 8], schedule):
        still = np.asarray(stylizer.stylize(frames[index], keyframe.weights))
        assert np.abs(painted[index].astype(int) - still).max() <= 1, index
    between = np.asarray(stylizer.stylize(frames[2], schedule[0].weights))
    assert np.abs(painted[2].astype(int) - between).mean() > 1


def _left_and_right_styles():
    """Per-pixel weights: style 0 on the left half, style 2 on the right."""
    weights = np.zeros((HEIGHT, WIDTH, 3), np.float32)
    weights[:, :WIDTH // 2, 0] = 1.0
    weights[:, WIDTH // 2:, 2] = 1.0
    return weights


def test_mask_on_video_frames_equals_masked_photo(clip, stylizer):
    frames = list(video_io.read_frames(clip))[:2]
    weights = _left_and_right_styles()

    painted = list(video_stylizer.stylize_frames(
        stylizer.network, frames, weights, FPS, batch_size=2))

    for frame, out in zip(frames, painted):
        still = np.asarray(stylizer.stylize(frame, weights))
        assert np.abs(out.astype(int) - still).max() <= 1


def test_tiny_frames_paint_as_tiny_stills(stylizer):
    rng = np.random.default_rng(5)
    frames = [rng.integers(0, 256, (7, 10, 3), np.uint8) for _ in range(2)]
    weights = np.float32([0.0, 1.0, 0.0])

    painted = list(video_stylizer.stylize_frames(
        stylizer.network, frames, weights, FPS, batch_size=2))

    for frame, out in zip(frames, painted):
        assert out.shape == frame.shape
        still = np.asarray(stylizer.stylize(frame, weights))
        assert np.abs(out.astype(int) - still).max() <= 1


def test_rejects_mask_of_another_size_than_the_frames(clip, stylizer,
                                                      tmp_path):
    weights = np.full((HEIGHT, WIDTH + 2, 3), 1 / 3, np.float32)

    with pytest.raises(ValueError, match="mask is 50x32 pixels, the "
                                         "video frames 48x32"):
        video_stylizer.stylize_video(stylizer.network, clip,
                                     str(tmp_path / "out.mp4"), weights)

    assert os.listdir(tmp_path) == []


def test_unreadable_or_missing_video_is_reported(tmp_path):
    garbage = tmp_path / "clip.mp4"
    garbage.write_bytes(b"not a video at all" * 100)

    with pytest.raises(video_io.VideoReadError, match="not a readable video"):
        video_io.probe(str(garbage))
    with pytest.raises(FileNotFoundError, match="no such file"):
        list(video_io.read_frames(str(tmp_path / "missing.mp4")))


@pytest.mark.parametrize("input_path,output,message", [
    (None, "out.mp4", "`input` is required"),
    ("-", "out.mp4", "`input` must be a video file"),
    ("clip.mp4", "-", "`output` must be a video file"),
    ("clip.mp4", "out.gif", "use one of"),
])
def test_check_paths_names_the_bad_path(input_path, output, message):
    with pytest.raises(ValueError, match=message):
        video_io.check_paths(input_path, output)


def test_interrupted_write_leaves_no_partial_file(tmp_path):
    def frames():
        for i in range(3):
            yield np.full((HEIGHT, WIDTH, 3), 60 * i, np.uint8)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        video_io.write_video(str(tmp_path / "out.mp4"), frames(), FPS)

    assert os.listdir(tmp_path) == []


def test_cli_bad_keyframes_exit_with_code_2(clip, model_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multistyle.cli.video", f"--input={clip}",
         f"--output={tmp_path / 'out.mp4'}", f"--model={model_dir}",
         "--keyframes=0:starry_night;2:great_wav"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})

    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines()
              if line.startswith("Error: ")]
    assert len(errors) == 1 and "Did you mean 'great_wave'" in errors[0]
    assert "Traceback" not in result.stderr
    assert os.listdir(tmp_path) == []


def test_cli_keyframes_with_a_constant_style_exit_2_naming_both(
        run_video_cli, clip, model_dir, tmp_path):
    code, _, err = run_video_cli(
        f"--input={clip}", f"--output={tmp_path / 'out.mp4'}",
        f"--model={model_dir}", "--keyframes=0:starry_night",
        "--style=great_wave")

    assert code == 2
    assert "Give either --style or --keyframes, not both." in err, err
    assert os.listdir(tmp_path) == []


def test_stroke_scale_paints_shrunk_frames_and_enlarges_them(clip, stylizer):
    from multistyle.inference import stroke_scale

    frames = list(video_io.read_frames(clip))[:3]
    weights = np.float32([0.0, 1.0, 0.0])

    painted = list(video_stylizer.stylize_frames(
        stylizer.network, frames, weights, FPS, batch_size=2,
        stroke_scale=2))

    for frame, out in zip(frames, painted):
        assert out.shape == frame.shape
        still = np.asarray(stylizer.stylize(frame, weights, stroke_scale=2))
        assert np.abs(out.astype(int) - still).max() <= 1


def _left_third_masks():
    """Style masks (8-bit, as the CLIs read them): style 0 on the left
    third, style 2 elsewhere."""
    from multistyle.inference import style_masks

    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    mask[:, :WIDTH // 3] = 255
    return style_masks.StyleMasks([mask],
                                  np.eye(3, dtype=np.float32)[[0, 2]])


@pytest.mark.parametrize("masks", [_left_and_right_styles,
                                   _left_third_masks])
def test_stroke_scale_with_a_mask_on_video(clip, stylizer, masks):
    frames = list(video_io.read_frames(clip))[:2]
    weights = masks()

    painted = list(video_stylizer.stylize_frames(
        stylizer.network, frames, weights, FPS, batch_size=2,
        stroke_scale=1.5))

    for frame, out in zip(frames, painted):
        still = np.asarray(stylizer.stylize(frame, weights, stroke_scale=1.5))
        assert np.abs(out.astype(int) - still).max() <= 1


def test_flow_smoothing_keeps_masks_and_stroke_scale(clip, stylizer):
    frames = list(video_io.read_frames(clip))
    options = dict(batch_size=4, stroke_scale=1.5)

    def paint(weights, smoother=None):
        return np.stack(list(video_stylizer.stylize_frames(
            stylizer.network, frames, weights, FPS, smoother=smoother,
            **options))).astype(int)

    masks = _left_and_right_styles()
    smoothed = paint(masks, video_stylizer.make_smoother("flow", 0.8))
    plain, swapped = paint(masks), paint(masks[..., ::-1])

    assert smoothed.shape == (NUM_FRAMES, HEIGHT, WIDTH, 3)
    np.testing.assert_array_equal(smoothed[0], plain[0])  # Nothing before.
    assert np.abs(smoothed - plain).mean() > 0.5  # Blended...
    # ... but each region keeps its own style.
    assert np.abs(smoothed - plain).mean() < \
        0.5 * np.abs(smoothed - swapped).mean()


def test_cli_static_smoothing_method(run_video_cli, clip, model_dir,
                                     tmp_path):
    output = tmp_path / "out.mp4"

    code, _, err = run_video_cli(
        f"--input={clip}", f"--output={output}", f"--model={model_dir}",
        "--temporal_smoothing=0.8", "--smoothing_method=static")

    assert code == 0, err
    assert imageio_ffmpeg.count_frames_and_secs(str(output))[0] == NUM_FRAMES


def test_make_smoother_rejects_unknown_method():
    with pytest.raises(ValueError, match="smoothing_method"):
        video_stylizer.make_smoother("blur", 0.5)


def test_cli_json_summary_and_stroke_scale(run_video_cli, clip, model_dir,
                                           tmp_path):
    import json

    output = tmp_path / "out.mp4"
    code, out, err = run_video_cli(
        f"--input={clip}", f"--output={output}", f"--model={model_dir}",
        "--style=great_wave", "--stroke_scale=2", "--json")

    assert code == 0, err
    summary = json.loads(out)
    assert summary["output"]["frames"] == NUM_FRAMES
    assert summary["output"]["audio"] is True
    assert summary["styles"] == {"great_wave": 1.0}
    assert summary["stroke_scale"] == 2.0


@pytest.mark.parametrize("args,message", [
    (["--stroke_scale=-2"], "--stroke_scale must be a number"),
    (["--output=-"], "- (stdin or stdout) is for photos"),
    (["--smoothing_method=blur"], "--smoothing_method"),
    (["--temporal_smoothing=1"], "--temporal_smoothing"),
])
def test_cli_bad_new_options_exit_2(run_video_cli, clip, model_dir, tmp_path,
                                    args, message):
    code, _, err = run_video_cli(f"--input={clip}", f"--model={model_dir}",
                                 *args)
    assert code == 2 and message in err, err
