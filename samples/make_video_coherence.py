"""Renders samples/video_coherence.jpg: video flicker, without and with
the flow-guided smoother.

The README and docs/video.md show it. The clip is made here, from the
public-domain astronaut photo: 12 frames of a slow pan and zoom (a crop
window that drifts and shrinks, resized to 384x288). The shipped
`multistyle16_lite` paints it in starry_night twice, as `multistyle-video`
does (`video_stylizer.stylize_frames`, batches of 4): each frame alone,
and with `--temporal_smoothing=0.8` (`make_smoother("flow", 0.8)`, the
`FlowGuidedSmoother`). One row each: four consecutive painted frames,
then the frame-to-frame change of the last two, |painted t - painted t-1
warped to t along the source's flow| (black 0, white 40 uint8 levels or
more; blue where the flow is unreliable, which the measure leaves out).
Each row's label gives the temporal warping error
(`warping_error.warping_error`, Lai et al. 2018) over the whole clip.

Run: python samples/make_video_coherence.py
"""

import os

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from multistyle.inference import stylizer as stylizer_lib
from multistyle.io import image_io
from multistyle.video import optical_flow
from multistyle.video import video_stylizer
from multistyle.video import warping_error

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "saved_models", "multistyle16_lite")
PHOTO = os.path.join(HERE, "astronaut.jpg")
STYLE = "starry_night"
STRENGTH = 0.8
NUM_FRAMES = 12
WIDTH, HEIGHT = 384, 288  # Frame size.
SHOWN = (7, 8, 9, 10)  # Consecutive frames on the sheet; the change
# panel compares the last two.
PANEL = (288, 216)  # Size of each panel on the sheet.
CHANGE_WHITE = 40.0  # uint8 levels drawn white in the change panel.
LABEL = 22
FPS = 24


def _clip(photo):
    """A slow pan and zoom over `photo`: uint8 RGB frames, WIDTHxHEIGHT."""
    height, width = photo.shape[:2]
    frames = []
    for i in range(NUM_FRAMES):
        crop_w = 480 - 6 * i  # Zooms in about 1.3% a frame...
        crop_h = crop_w * HEIGHT // WIDTH
        left = 8 + 2 * i  # ... while the window drifts right and down.
        top = 40 + 3 * i
        assert left + crop_w <= width and top + crop_h <= height
        frames.append(np.asarray(Image.fromarray(photo).resize(
            (WIDTH, HEIGHT), Image.Resampling.LANCZOS,
            box=(left, top, left + crop_w, top + crop_h))))
    return frames


def _change_panel(painted, flows, t):
    """|painted t - painted t-1 warped to t| as an RGB image."""
    backward, mask = flows[t - 1]
    previous = optical_flow.warp(painted[t - 1].astype(np.float32), backward)
    change = np.abs(painted[t].astype(np.float32) - previous).mean(-1)
    grey = np.clip(change / CHANGE_WHITE * 255.0, 0, 255).astype(np.uint8)
    panel = np.repeat(grey[..., None], 3, -1)
    panel[~mask] = (40, 70, 170)
    return panel


def main():
    stylizer = stylizer_lib.Stylizer(MODEL, batched=True)
    weights = stylizer.weights(style=STYLE)
    frames = _clip(image_io.load_image(PHOTO))
    flows = warping_error.source_flows(frames)
    rows = []
    for label, smoother in (
            ("each frame alone", None),
            (f"flow-guided {STRENGTH:g}",
             video_stylizer.make_smoother("flow", STRENGTH))):
        painted = list(video_stylizer.stylize_frames(
            stylizer.network, frames, weights, FPS, smoother=smoother))
        error = warping_error.warping_error(painted, flows)
        rows.append((label, error, painted))
        print(f"{label}: warping error {error:.2f} uint8 levels")
    source_error = warping_error.warping_error(frames, flows)
    print(f"source: warping error {source_error:.2f}")

    font = ImageFont.load_default(size=15)
    columns = len(SHOWN) + 1
    sheet = Image.new("RGB", (columns * PANEL[0],
                              len(rows) * (PANEL[1] + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (label, error, painted) in enumerate(rows):
        top = r * (PANEL[1] + LABEL)
        draw.text((6, top + 3),
                  f"{label}: warping error {error:.1f} uint8 levels "
                  f"(mean over the clip; the source's own: "
                  f"{source_error:.1f})", fill="black", font=font)
        draw.text((len(SHOWN) * PANEL[0] + 6, top + 3),
                  "|t - warped t-1|; blue: not counted", fill="black",
                  font=font)
        panels = [painted[t] for t in SHOWN]
        panels.append(_change_panel(painted, flows, SHOWN[-1]))
        for c, panel in enumerate(panels):
            sheet.paste(Image.fromarray(panel).resize(
                PANEL, Image.Resampling.LANCZOS),
                (c * PANEL[0], top + LABEL))
        names = [f"frame {t}" for t in SHOWN]
        names.append(f"change {SHOWN[-2]}->{SHOWN[-1]} (white: "
                     f"{CHANGE_WHITE:g}+)")
        for c, name in enumerate(names):
            x, y = c * PANEL[0] + 4, top + LABEL + PANEL[1] - 20
            box = draw.textbbox((x, y), name, font=font)
            draw.rectangle((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2),
                           fill="white")
            draw.text((x, y), name, fill="black", font=font)
    path = os.path.join(HERE, "video_coherence.jpg")
    sheet.save(path, quality=80)
    print(f"Wrote {path} ({os.path.getsize(path) // 1024} KB, "
          f"{sheet.width}x{sheet.height})")


if __name__ == "__main__":
    main()
