"""The page's webcam flicker reduction (static/webcam_coherence.js): in
Node on synthetic frames, flicker falls along a pan, a cut is shown as
painted and a moving square leaves no trail; in chromium, the live
webcam preview goes through it."""

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT
# The browser test's fixtures and helpers (chromium, a live server).
from tests.serving.test_serve_page import _console_errors
from tests.serving.test_serve_page import _open_page
from tests.serving.test_serve_page import _wait
from tests.serving.test_serve_page import browser  # noqa: F401 (fixture)
from tests.serving.test_serve_page import live_server  # noqa: F401

SCRIPT = os.path.join(REPO_ROOT, "multistyle", "serving", "static",
                      "webcam_coherence.js")

# Frames as ImageData-like objects; "painted" frames flicker: the frame
# plus new noise each time. Prints the measurements as JSON.
_HARNESS = r"""
const { Coherence } = require(process.argv[process.argv.length - 1]);
const W = 96, H = 72;
let seed = 7;
const random = () => {  // mulberry32
  seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
function texture(width, height) {  // Smooth: a coarse grid, interpolated.
  const gw = Math.ceil(width / 6) + 2, gh = Math.ceil(height / 6) + 2;
  const grid = Array.from({ length: gw * gh * 3 }, () => 255 * random());
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const fx = x / 6, fy = y / 6, x0 = Math.floor(fx), y0 = Math.floor(fy);
    const wx = fx - x0, wy = fy - y0;
    for (let c = 0; c < 3; c++) {
      const g = (i, j) => grid[((y0 + j) * gw + x0 + i) * 3 + c];
      data[(y * width + x) * 4 + c] = (1 - wy) * ((1 - wx) * g(0, 0) +
        wx * g(1, 0)) + wy * ((1 - wx) * g(0, 1) + wx * g(1, 1));
    }
    data[(y * width + x) * 4 + 3] = 255;
  }
  return { data, width, height };
}
function crop(frame, x0) {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    data.set(frame.data.subarray((y * frame.width + x0) * 4,
                                 (y * frame.width + x0 + W) * 4), y * W * 4);
  }
  return { data, width: W, height: H };
}
function painted(frame) {
  const data = new Uint8ClampedArray(frame.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = i % 4 === 3 ? 255 : 0.8 * frame.data[i] + 50 * random();
  }
  return { data, width: frame.width, height: frame.height };
}
// Mean |a - b shifted by step px| over pixels inside both (a pan's
// warping error with the known flow), RGB.
function panError(a, b, step) {
  let sum = 0, count = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W - step; x++) {
    for (let c = 0; c < 3; c++) {
      sum += Math.abs(a[(y * W + x) * 4 + c] - b[(y * W + x + step) * 4 + c]);
      count++;
    }
  }
  return sum / count;
}
function meanDiff(a, b, pixels) {
  let sum = 0;
  for (const i of pixels) for (let c = 0; c < 3; c++) {
    sum += Math.abs(a[4 * i + c] - b[4 * i + c]);
  }
  return sum / (3 * pixels.length);
}
const result = {};

// A pan: the texture slides left 2 px per frame.
const step = 2, wide = texture(W + 8 * step, H);
const frames = Array.from({ length: 8 }, (_, i) => crop(wide, i * step));
const paint = frames.map(painted);
const coherence = new Coherence(0.8);
const shown = frames.map((f, i) => coherence.apply(f, paint[i]));
let before = 0, after = 0;
for (let i = 1; i < frames.length; i++) {
  before += panError(paint[i].data, paint[i - 1].data, step);
  after += panError(shown[i], shown[i - 1], step);
}
result.pan = { before, after, cuts: coherence.cuts };

// A cut to another scene.
const other = crop(texture(W, H), 0);
const cut = new Coherence(0.9);
cut.apply(frames[0], paint[0]);
cut.apply(frames[0], paint[0]);
const otherPaint = painted(other);
const afterCut = cut.apply(other, otherPaint);
result.cut = { equal: afterCut.every((v, i) => v === otherPaint.data[i]),
               cuts: cut.cuts };

// A bright square moving right 4 px per frame over a still background.
const background = crop(texture(W, H), 0);
const square = new Coherence(0.9);
let worst = 0, trail = Infinity;
let previousPaint = null;
for (let i = 0; i < 8; i++) {
  const frame = { data: new Uint8ClampedArray(background.data), width: W,
                  height: H };
  for (let y = 20; y < 44; y++) {
    for (let x = 8 + 4 * i; x < 32 + 4 * i; x++) {
      frame.data.set([250, 240, 60], (y * W + x) * 4);
    }
  }
  const fresh = painted(frame);
  const out = square.apply(frame, fresh);
  if (i > 0) {
    const uncovered = [];
    for (let y = 20; y < 44; y++) {
      for (let x = 4 + 4 * i; x < 8 + 4 * i; x++) uncovered.push(y * W + x);
    }
    worst = Math.max(worst, meanDiff(out, fresh.data, uncovered));
    trail = Math.min(trail, meanDiff(previousPaint.data, fresh.data,
                                     uncovered));
  }
  previousPaint = fresh;
}
result.square = { worst, trail };
console.log(JSON.stringify(result));
"""


@pytest.fixture(scope="module")
def measured():
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the page's script runs in "
                    "the browser; Node runs it here).")
    done = subprocess.run([node, "-e", _HARNESS, SCRIPT], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_flicker_falls_along_a_pan(measured):
    pan = measured["pan"]
    assert pan["after"] < 0.5 * pan["before"], pan
    assert pan["cuts"] == 0


def test_cut_is_shown_as_painted(measured):
    assert measured["cut"] == {"equal": True, "cuts": 1}


def test_moving_square_leaves_no_trail(measured):
    square = measured["square"]
    # Where the square was, the previous painting differs by `trail`
    # levels; a trail would bring that difference in.
    assert square["worst"] < 4 and square["trail"] > 40, square


def test_page_blends_live_webcam_frames(live_server, browser):
    """In chromium, with its fake camera: previews are blended along the
    motion, and the console stays clean."""
    from selenium.webdriver.common.by import By

    _open_page(browser, live_server[0])
    browser.find_element(By.ID, "webcam-button").click()
    _wait(browser, "return state.coherence.blended >= 2;", seconds=60)
    browser.find_element(By.ID, "webcam-toggle").click()
    _wait(browser, "return state.webcam === null && !state.busy;")

    assert browser.execute_script("return state.coherence.previous;") is None
    assert _console_errors(browser) == []
