"""The page in a real browser: Debian's chromium, headless, driven by
Selenium, on a real uvicorn server on 127.0.0.1.

It loads the page, uploads a photo, moves two sliders, and checks that
the preview changed, that it is what the API paints for the same photo
and weights, that the page never had two requests in flight, and that
the console stayed clean; then the download and the webcam. A screenshot goes to
$MULTISTYLE_TEST_ARTIFACTS (else the test's tmp folder).
"""

import base64
import contextlib
import os
import shutil
import threading
import urllib.parse

import httpx2
import numpy as np
import pytest

from multistyle.serving import app as app_lib
from multistyle.serving import server
from tests.conftest import REPO_ROOT
from tests.conftest import _required_in_ci
from tests.serving.conftest import decoded
from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array
from tests.serving.test_serve_masks import MASK_TEST_SIZE

PHOTO = os.path.join(REPO_ROOT, "samples", "astronaut.jpg")  # 512x512.
ARTIFACTS_ENV = "MULTISTYLE_TEST_ARTIFACTS"
# The page and the API paint the same bytes with the same network, so the
# two JPEGs decode alike; one uint8 level allows for a decoder difference.
TOLERANCE = 1
# In the page's scope: its `state` and helpers (app.js is a classic
# script, so its top-level names are global).
_SETTLED = """
const params = paintParams();
params.set("preview", "true");
params.set("format", "jpeg");
const mask = state.maskMode ? String(state.maskStrokes) : "";
return !state.busy && !state.wanted &&
    $("preview").dataset.params === params.toString() &&
    $("preview").dataset.mask === mask;
"""
_SHOWN = """
const done = arguments[arguments.length - 1];
const base64 = async (blob) => {
  let text = "";
  for (const byte of new Uint8Array(await blob.arrayBuffer())) {
    text += String.fromCharCode(byte);
  }
  return btoa(text);
};
(async () => done({
  painting: await base64(state.shownBlob),
  photo: await base64(state.previewPhoto),
  mask: await base64(await maskBlob()),
  params: $("preview").dataset.params,
}))();
"""


class _ConcurrencyProbe:
    """The real painter, noting the most requests the server held at once
    (waiting or painting) when a painting starts."""

    def __init__(self, painter):
        self._painter = painter
        self.queue = None
        self.most_admitted = 0

    def __getattr__(self, name):
        return getattr(self._painter, name)

    def paint(self, *args, **kwargs):
        self.most_admitted = max(self.most_admitted, self.queue.admitted)
        return self._painter.paint(*args, **kwargs)


@contextlib.contextmanager
def _live(painter, **create_args):
    """An app on `painter` (and `app.create_app`'s other arguments)
    served by uvicorn on a free port: yields its URL and the app."""
    app = app_lib.create_app(painter, **create_args)
    sock = server.bind(server.LOOPBACK, 0)
    uvicorn_server = server.make_server(app)
    thread = threading.Thread(target=uvicorn_server.run,
                              kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield server.url(sock), app
    finally:
        uvicorn_server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture(scope="module")
def live_server(lite_painter):
    """The lite model's app, live: its URL, and the painter's
    `_ConcurrencyProbe`."""
    probe = _ConcurrencyProbe(lite_painter)
    with _live(probe) as (url, app):
        probe.queue = app.state.queue
        yield url, probe


@pytest.fixture(scope="module")
def live_keras_server(keras_painter):
    """The tiny `model.keras` app, live (style masks need Keras): its URL."""
    with _live(keras_painter) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless chromium, its console log kept, downloading into its
    `download_dir`."""
    chromium, driver_path = shutil.which("chromium"), shutil.which(
        "chromedriver")
    if not (chromium and driver_path):
        _required_in_ci("the browser test needs Debian's chromium and "
                        "chromium-driver (apt-get install -y chromium "
                        "chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome import service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,860",
                     "--hide-scrollbars",
                     # A test pattern as the webcam, allowed without asking.
                     "--use-fake-device-for-media-stream",
                     "--use-fake-ui-for-media-stream"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=service.Service(driver_path),
                              options=options)
    driver.set_script_timeout(30)
    driver.download_dir = str(tmp_path_factory.mktemp("downloads"))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
        "behavior": "allow", "downloadPath": driver.download_dir})
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, seconds=30):
    """Waits until `condition` (JS returning a truth, or a function of
    nothing) holds."""
    from selenium.webdriver.support import ui

    check = condition if callable(condition) else (
        lambda: driver.execute_script(condition))
    ui.WebDriverWait(driver, seconds, poll_frequency=0.05).until(
        lambda unused_driver: check())


def _move_slider(driver, slider_id, fraction):
    """Clicks the slider at `fraction` of its width, as a user would."""
    from selenium.webdriver.common import action_chains
    from selenium.webdriver.common.by import By

    slider = driver.find_element(By.ID, slider_id)
    offset = int((fraction - 0.5) * slider.size["width"])
    action_chains.ActionChains(driver).move_to_element_with_offset(
        slider, offset, 0).click().perform()


def _shown(driver):
    """`(painting, photo, params)` of the preview on show, as bytes and
    the query string; with `mask=True` the mask's bytes too."""
    shown = driver.execute_async_script(_SHOWN)
    return (base64.b64decode(shown["painting"]),
            base64.b64decode(shown["photo"]), shown["params"],
            base64.b64decode(shown["mask"]))


def _console_errors(driver):
    return [entry for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


def _open_page(driver, url, styles=16):
    driver.get(url)
    _wait(driver, "return document.querySelectorAll('.style-row')"
                  f".length === {styles};")


def _artifacts_dir(tmp_path):
    folder = os.environ.get(ARTIFACTS_ENV) or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder


def test_sliders_repaint_the_preview_as_the_api_paints(live_server, browser,
                                                       tmp_path):
    from selenium.webdriver.common.by import By

    url, probe = live_server
    _open_page(browser, url)
    browser.find_element(By.ID, "file-input").send_keys(PHOTO)
    _wait(browser, "return $('preview').dataset.updates >= 1 && !state.busy;")
    first = _shown(browser)[0]

    probe.most_admitted = 0
    for fraction in (0.9, 0.6, 0.3):    # starry_night down to ~0.3,
        _move_slider(browser, "w-0", fraction)
    for fraction in (0.2, 0.5, 0.8):    # great_wave up to ~0.8.
        _move_slider(browser, "w-4", fraction)
    _wait(browser, _SETTLED)
    painting, photo, params, _ = _shown(browser)
    api = httpx2.post(f"{url}v1/stylize?{params}",
                      files={"image": ("photo", photo)}, timeout=30)

    weights = dict(pair.split("=") for pair in urllib.parse.parse_qs(
        params)["weights"][0].split(","))
    assert weights.keys() == {"starry_night", "great_wave"}
    assert float(weights["starry_night"]) == pytest.approx(0.3, abs=0.03)
    assert float(weights["great_wave"]) == pytest.approx(0.8, abs=0.03)
    assert max(decoded(photo).shape) == 384  # Downsized in the browser.
    assert np.abs(decoded(painting).astype(int) - decoded(first)).mean() > 2
    assert probe.most_admitted == 1  # Coalesced: one request at a time.
    assert api.status_code == 200
    difference = np.abs(decoded(painting).astype(int) - decoded(api.content))
    assert difference.max() <= TOLERANCE
    browser.save_screenshot(os.path.join(_artifacts_dir(tmp_path),
                                         "serve_page.png"))
    assert _console_errors(browser) == []


def test_download_paints_the_photo_at_its_own_size(live_server, browser):
    from selenium.webdriver.common.by import By

    _open_page(browser, live_server[0])
    browser.find_element(By.ID, "file-input").send_keys(PHOTO)
    _wait(browser, "return $('preview').dataset.updates >= 1 && !state.busy;")
    browser.find_element(By.ID, "download").click()
    path = os.path.join(browser.download_dir, "astronaut-painted.jpg")
    _wait(browser, "return $('status').textContent.startsWith('Full size');")
    _wait(browser, lambda: os.path.isfile(path))

    assert decoded(open(path, "rb").read()).shape == (512, 512, 3)
    assert _console_errors(browser) == []


def test_webcam_frames_repaint_live(live_server, browser):
    from selenium.webdriver.common.by import By

    _open_page(browser, live_server[0])
    browser.find_element(By.ID, "webcam-button").click()
    _wait(browser, "return $('preview').dataset.updates >= 3;")
    browser.find_element(By.ID, "webcam-toggle").click()  # Off again.
    _wait(browser, "return state.webcam === null && !state.busy;")
    painting = _shown(browser)[0]

    # Chromium's fake camera is 640x480; previews are 384 px long.
    assert decoded(painting).shape == (288, 384, 3)
    assert _console_errors(browser) == []


def test_brushed_mask_paints_a_second_style(live_keras_server, browser,
                                            tmp_path):
    from selenium.webdriver.common import action_chains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import select

    # The API mask tests' size: on JAX, one compiled shape serves all.
    small_photo = tmp_path / "small.png"
    small_photo.write_bytes(encoded(photo_array(*MASK_TEST_SIZE)))
    _open_page(browser, live_keras_server, styles=3)
    browser.find_element(By.ID, "file-input").send_keys(str(small_photo))
    _wait(browser, "return $('preview').dataset.updates >= 1 && !state.busy;")
    browser.find_element(By.ID, "mask-mode").click()
    select.Select(browser.find_element(By.ID, "mask-brush-style")
                  ).select_by_value("composition_vii")
    canvas = browser.find_element(By.ID, "mask-canvas")
    action_chains.ActionChains(browser).move_to_element_with_offset(
        canvas, -40, 0).click_and_hold().move_by_offset(50, 20).move_by_offset(
        20, -30).release().perform()
    _wait(browser, _SETTLED)
    painting, photo, params, mask = _shown(browser)
    api = httpx2.post(f"{live_keras_server}v1/stylize?{params}", files={
        "image": ("photo", photo), "mask": ("mask", mask)}, timeout=60)

    assert urllib.parse.parse_qs(params)["mask_styles"] == [
        "composition_vii,starry_night"]
    brushed = decoded(mask)[..., 0] > 127
    assert decoded(painting).shape[:2] == MASK_TEST_SIZE
    assert 0.02 < brushed.mean() < 0.9
    assert api.status_code == 200, api.text
    difference = np.abs(decoded(painting).astype(int) - decoded(api.content))
    assert difference.max() <= TOLERANCE
    browser.save_screenshot(os.path.join(_artifacts_dir(tmp_path),
                                         "serve_page_mask.png"))
    assert _console_errors(browser) == []
