"""Renders samples/photo.png, the sample "photo" the README stylizes.

The project may ship only images it made itself, so this draws a landscape
(sky, sun, two mountain ranges, a lake with reflections, trees, a house)
from seeded noise. Run: python samples/make_sample_photo.py
"""

import os

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFilter

WIDTH, HEIGHT = 640, 448
HORIZON = 290


def _ridge(rng, width, roughness, octaves=6):
    """A 1-D fractal height profile in [0, 1] (sums of random sines)."""
    x = np.linspace(0, 1, width)
    height = np.zeros(width)
    for octave in range(octaves):
        freq = 2 ** octave
        phases = rng.uniform(0, 2 * np.pi, 3)
        height += sum(np.sin(2 * np.pi * freq * (i + 1) * x + p)
                      for i, p in enumerate(phases)) / (freq ** roughness)
    return (height - height.min()) / np.ptp(height)


def render(seed=7):
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, HORIZON)[:, None, None]
    sky = (1 - y) * np.array([70, 120, 200]) + y * np.array([250, 200, 150])
    image = np.zeros((HEIGHT, WIDTH, 3))
    image[:HORIZON] = sky
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    sun = np.exp(-((xx - 470) ** 2 + (yy - 150) ** 2) / (2 * 22.0 ** 2))
    glow = np.exp(-((xx - 470) ** 2 + (yy - 150) ** 2) / (2 * 90.0 ** 2))
    image += (sun[..., None] * 255 + glow[..., None] * 60) * (yy < HORIZON
                                                              )[..., None]
    for base, amp, color in ((HORIZON - 40, 110, (95, 105, 140)),
                             (HORIZON, 70, (50, 80, 60))):
        ridge = base - amp * _ridge(rng, WIDTH, 1.6)
        mask = (yy >= ridge[None, :]) & (yy < HORIZON)
        shade = 0.8 + 0.2 * rng.random((HEIGHT, WIDTH))
        image[mask] = (np.array(color) * shade[..., None])[mask]
    # The lake mirrors everything above the horizon, darker and rippled.
    depth = HEIGHT - HORIZON
    rows = HORIZON - 1 - np.arange(depth)
    ripple = (3 * np.sin(np.arange(depth)[:, None] * 0.9
                         + np.arange(WIDTH)[None, :] * 0.05)).astype(int)
    cols = np.clip(np.arange(WIDTH)[None, :] + ripple, 0, WIDTH - 1)
    image[HORIZON:] = image[rows[:, None], cols] * 0.75 + np.array(
        [10, 25, 45])
    picture = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for x in rng.uniform(20, 300, 9):  # Pines on the near shore.
        h = rng.uniform(50, 95)
        base = HORIZON + 4
        draw.polygon([(x, base - h), (x - h / 4, base), (x + h / 4, base)],
                     fill=(25, 55, 35))
        draw.rectangle([x - 2, base, x + 2, base + 6], fill=(60, 40, 25))
    draw.rectangle([340, HORIZON - 38, 392, HORIZON], fill=(170, 60, 45))
    draw.polygon([(332, HORIZON - 38), (366, HORIZON - 64),
                  (400, HORIZON - 38)], fill=(90, 40, 35))
    draw.rectangle([360, HORIZON - 22, 372, HORIZON], fill=(240, 220, 150))
    picture = picture.filter(ImageFilter.GaussianBlur(0.8))
    noise = rng.normal(0, 4, (HEIGHT, WIDTH, 3))
    return Image.fromarray(np.clip(np.asarray(picture) + noise, 0,
                                   255).astype(np.uint8))


if __name__ == "__main__":
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "photo.png")
    render().save(path)
    print(f"Wrote {path}")
