"""Renders samples/stroke_scale.jpg: one photo at --stroke_scale 1, 2 and 3.

The README shows it next to `--stroke_scale`. Each panel is what
`multistyle-stylize --stroke_scale=S` paints (the library call below is
the same), shrunk to fit. Run: python samples/make_stroke_scale.py
"""

import os

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from multistyle.inference import stylizer as stylizer_lib

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "saved_models", "multistyle16")
PHOTO = os.path.join(HERE, "astronaut.jpg")
STYLE = "vangogh_wheat_field_cypresses"
SCALES = (1, 2, 3)
PANEL = 300  # Side of each panel, pixels.
LABEL = 22


def main():
    stylizer = stylizer_lib.Stylizer(MODEL)
    weights = stylizer.weights(style=STYLE)
    font = ImageFont.load_default()
    sheet = Image.new("RGB", (len(SCALES) * PANEL, PANEL + LABEL), "white")
    draw = ImageDraw.Draw(sheet)
    for i, scale in enumerate(SCALES):
        painted = stylizer.stylize(PHOTO, weights, stroke_scale=scale)
        panel = painted.resize((PANEL, PANEL), Image.Resampling.LANCZOS)
        sheet.paste(panel, (i * PANEL, LABEL))
        draw.text((i * PANEL + 6, 4), f"--stroke_scale={scale}", fill="black",
                  font=font)
    path = os.path.join(HERE, "stroke_scale.jpg")
    sheet.save(path, quality=88)
    print(f"Wrote {path} ({os.path.getsize(path) // 1024} KB, "
          f"{np.asarray(sheet).shape[1]}x{np.asarray(sheet).shape[0]})")


if __name__ == "__main__":
    main()
