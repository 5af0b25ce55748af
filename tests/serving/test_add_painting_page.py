""""Add a painting" in a real browser: headless chromium driven by Selenium
on a live uvicorn server with training on. A small painting trains for a
few seconds in a real `multistyle-train` subprocess (the tiny recipe on
the tiny 3-style model), and its slider appears and blends.
"""

import os
import time

from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array
from tests.serving.test_serve_masks import MASK_TEST_SIZE
from tests.serving.test_serve_page import _SETTLED
from tests.serving.test_serve_page import _artifacts_dir
from tests.serving.test_serve_page import _console_errors
from tests.serving.test_serve_page import _live
from tests.serving.test_serve_page import _move_slider
from tests.serving.test_serve_page import _open_page
from tests.serving.test_serve_page import _shown
from tests.serving.test_serve_page import _wait
from tests.serving.test_serve_page import browser  # noqa: F401 (fixture)
from tests.serving.test_training_jobs import _settings
from tests.serving.test_training_jobs import content  # noqa: F401
from tests.serving.test_training_jobs import subprocess_backend  # noqa: F401


def test_an_added_painting_gets_a_slider_that_blends(
        keras_painter, browser, content, subprocess_backend, tmp_path):
    from selenium.webdriver.common.by import By

    painting = tmp_path / "Little Sun.png"
    painting.write_bytes(encoded(photo_array(96, 128, seed=9)))
    photo = tmp_path / "photo.png"
    photo.write_bytes(encoded(photo_array(*MASK_TEST_SIZE)))
    with _live(keras_painter,
               jobs=_settings(tmp_path / "work", content)) as (url, _):
        _open_page(browser, url, styles=3)
        assert browser.find_element(By.ID, "add-painting").is_displayed()
        start = time.monotonic()
        browser.find_element(By.ID, "painting-input").send_keys(
            str(painting))
        _wait(browser, "return $('job-preview').naturalWidth > 0;")
        first_preview = time.monotonic() - start
        _wait(browser, "return document.querySelectorAll('.style-row')"
                       ".length === 4;", seconds=120)
        slider = browser.find_element(By.ID, "w-3")
        link = browser.find_element(By.ID, "job-model")
        status = browser.find_element(By.ID, "job-status").text

        browser.find_element(By.ID, "file-input").send_keys(str(photo))
        _wait(browser, "return $('preview').dataset.updates >= 1 && "
                       "!state.busy;")
        _move_slider(browser, "w-3", 0.8)
        _wait(browser, _SETTLED)
        params = _shown(browser)[2]
        browser.save_screenshot(os.path.join(_artifacts_dir(tmp_path),
                                             "serve_page_add_painting.png"))

    assert first_preview < 10
    assert slider.get_attribute("data-style") == "little_sun"
    assert status.startswith('Done: "little sun" is a style now')
    assert link.is_displayed()
    assert link.get_attribute("href").endswith("/model.zip")
    assert "little_sun%3D0.8" in params and "starry_night%3D1" in params
    assert _console_errors(browser) == []
