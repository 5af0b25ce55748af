"""Training jobs through the HTTP API: a posted painting trains in a real
`multistyle-train` subprocess (the tiny recipe of configs/tiny.cfg on the
tiny 3-style model, a 20 s budget) and becomes a style the server paints;
the queue, cancelling, bad paintings, restarts, and training switched off.
"""

import contextlib
import io
import json
import os
import time
import zipfile

import numpy as np
import pytest
from starlette import testclient

from multistyle.serving import app as app_lib
from multistyle.serving import instant_preview
from multistyle.serving import job_settings
from multistyle.serving import limits as limits_lib
from multistyle.serving import training_job
from multistyle.serving import training_jobs
from tests.conftest import REPO_ROOT
from tests.serving.conftest import decoded
from tests.serving.conftest import encoded
from tests.serving.conftest import photo_array
from tests.serving.test_serve_errors import _png_header_only

BUDGET = 20.0  # The subprocess starts in ~10 s, then a few tiny steps.
FLAGFILE = os.path.join(REPO_ROOT, "configs", "tiny.cfg")
JOBS = "/v1/styles/jobs"


def _settings(work_dir, content, **values):
    return job_settings.JobSettings(
        allow_training=True, work_dir=str(work_dir),
        training_content=content, training_flagfile=FLAGFILE,
        training_seconds=BUDGET, **values)


@contextlib.contextmanager
def _serving(painter, settings, **limits):
    app = app_lib.create_app(painter, limits_lib.Limits(**limits),
                             jobs=settings)
    with testclient.TestClient(app) as client:
        client.app_state = app.state
        yield client


@pytest.fixture(scope="module")
def subprocess_backend():
    """The jobs' subprocesses train with TensorFlow: JAX compiles a tiny
    run's first step for ~45 s (tests/training/test_time_budget.py), more
    than the budget; the server runs on the backend under test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_BACKEND", "tensorflow")
        yield


@pytest.fixture(scope="module")
def content(shared_data):
    return os.path.join(shared_data, "content_train", "bsds500")


@pytest.fixture(scope="module")
def painting():
    """A 96x128 painting as PNG bytes."""
    return encoded(photo_array(96, 128, seed=7))


def _files(folder):
    """`{path: (size, mtime)}` of every file under `folder`."""
    stats = {}
    for root, _, names in os.walk(folder):
        for name in names:
            stat = os.stat(os.path.join(root, name))
            stats[os.path.join(root, name)] = stat.st_size, stat.st_mtime_ns
    return stats


def _events(client, job_id):
    """The statuses of the job's event stream, until it ends."""
    statuses = []
    with client.stream("GET", f"{JOBS}/{job_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                statuses.append(json.loads(line[len("data: "):]))
    return statuses


def _wait_for(client, job_id, states, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"{JOBS}/{job_id}").json()
        if status["state"] in states:
            return status
        time.sleep(0.2)
    raise AssertionError(f"Job {job_id} never reached {states}: {status}")


@pytest.fixture(scope="module")
def finished(keras_painter, model_dir, content, painting, subprocess_backend,
             tmp_path_factory):
    """A server that trained one painting: `(client, posted, the stand-in
    preview, events, work_dir, the base model's files before)`."""
    work_dir = tmp_path_factory.mktemp("work")
    base_files = _files(model_dir)
    with _serving(keras_painter, _settings(work_dir, content)) as client:
        posted = client.post(JOBS, files={
            "painting": ("My Painting.png", painting)})
        stand_in = client.get(f"{JOBS}/{posted.json()['job']}/preview.jpg")
        events = _events(client, posted.json()["job"])
        yield client, posted, stand_in, events, work_dir, base_files


def test_posting_a_painting_starts_a_job(finished):
    posted = finished[1]

    assert posted.status_code == 202, posted.text
    assert posted.json()["name"] == "my_painting"
    assert posted.json()["state"] == "queued"
    assert posted.json()["budget"] == BUDGET


def test_a_stand_in_preview_comes_before_the_training_paints_one(finished):
    stand_in = finished[2]

    assert stand_in.status_code == 200
    assert stand_in.headers["x-preview"] == "stand-in"
    assert max(decoded(stand_in.content).shape[:2]) == 256


def test_the_stand_in_comes_within_3_s_on_the_shipped_preview_model(
        lite_painter, content, painting, subprocess_backend, tmp_path):
    with _serving(lite_painter, _settings(tmp_path, content)) as client:
        start = time.monotonic()
        job_id = client.post(JOBS, files={
            "painting": ("a.png", painting)}).json()["job"]
        stand_in = client.get(f"{JOBS}/{job_id}/preview.jpg")
        seconds = time.monotonic() - start
        client.delete(f"{JOBS}/{job_id}")

    assert stand_in.headers["x-preview"] == "stand-in"
    assert seconds < 3.0


def test_the_stand_in_blends_the_styles_closest_in_colour():
    red, green, blue = (np.full((8, 8, 3), colour, np.uint8) for colour in (
        (200, 30, 30), (30, 200, 30), (30, 30, 200)))
    reddish = photo_array(32, 32) // 4 + np.uint8([150, 10, 10])

    weights = instant_preview.closest_weights(reddish, [green, red, blue],
                                              nearest=2)

    assert weights.sum() == pytest.approx(1.0)
    assert weights[1] > 0.5 and weights[1] == weights.max()
    assert np.count_nonzero(weights) == 2


def test_events_show_progress_until_done(finished):
    events = finished[3]
    states = [e["state"] for e in events]

    assert states[-1] == "done", events[-1]
    assert "training" in states or "writing" in states
    assert events[-1]["step"] == events[-1]["num_steps"] >= 1
    assert np.isfinite(events[-1]["loss"])
    assert events[-1]["links"]["model"].endswith("/model.zip")


def test_the_new_style_is_listed_with_its_painting(finished):
    client = finished[0]
    styles = client.get("/v1/styles").json()["styles"]

    assert [s["name"] for s in styles] == [
        "starry_night", "great_wave", "composition_vii", "my_painting"]
    assert styles[-1]["thumbnail_source"] == "painting"


def test_the_new_style_paints_and_blends(finished):
    client = finished[0]
    photo = encoded(photo_array())

    def paint(weights):
        response = client.post("/v1/stylize", files={"image": (
            "photo", photo)}, data={"weights": weights, "preview": "true"})
        assert response.status_code == 200, response.text
        return decoded(response.content).astype(int)

    new, old = paint("my_painting=1"), paint("starry_night=1")
    blend = paint("my_painting=0.5,starry_night=0.5")

    assert np.abs(new - old).mean() > 2
    assert np.abs(blend - new).mean() > 1 and np.abs(blend - old).mean() > 1


def test_the_preview_comes_from_the_training(finished):
    client, posted = finished[:2]
    response = client.get(f"{JOBS}/{posted.json()['job']}/preview.jpg")

    assert response.status_code == 200
    assert response.headers["x-preview"] == "training"
    assert max(decoded(response.content).shape[:2]) == 256


def test_the_model_zip_is_the_finished_model_folder(finished):
    client, posted = finished[:2]
    response = client.get(f"{JOBS}/{posted.json()['job']}/model.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))

    assert response.status_code == 200
    assert sorted(archive.namelist()) == [
        "tiny3_my_painting/model.keras", "tiny3_my_painting/my_painting.png",
        "tiny3_my_painting/styles.json"]
    styles = json.loads(archive.read("tiny3_my_painting/styles.json"))
    assert styles["styles"][-1]["source"] == "my_painting.png"


def test_the_served_model_is_never_written(finished, model_dir):
    assert _files(model_dir) == finished[5]


def test_a_restarted_server_serves_the_finished_model(finished,
                                                      keras_painter):
    work_dir, job_id = finished[4], finished[1].json()["job"]
    unfinished = work_dir / "jobs" / "0123456789ab"
    (unfinished / "run").mkdir(parents=True)

    with _serving(keras_painter, _settings(work_dir, "photos")) as client:
        names = [s["name"] for s in client.get("/v1/styles").json()["styles"]]
        status = client.get(f"{JOBS}/{job_id}").json()

    assert names[-1] == "my_painting"
    assert status["state"] == "done"
    assert not unfinished.exists()


def test_a_taken_name_gets_409(finished, painting):
    response = finished[0].post(JOBS, files={
        "painting": ("x.png", painting)}, data={"name": "Starry_Night"})

    assert response.status_code == 409
    assert "another `name`" in response.json()["error"]


@pytest.mark.parametrize("name, message", [
    ("123", "not only digits"), ("a b", "letters, digits"),
    ("x" * 65, "at most 64 characters")])
def test_a_bad_name_gets_400(finished, painting, name, message):
    response = finished[0].post(JOBS, files={
        "painting": ("x.png", painting)}, data={"name": name})

    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize("seconds", ["5", "601", "soon"])
def test_a_budget_out_of_range_gets_400(finished, painting, seconds):
    response = finished[0].post(JOBS, files={
        "painting": ("x.png", painting)}, data={"seconds": seconds})

    assert response.status_code == 400
    assert "`seconds` must be a number from 10 to 600" in response.json()[
        "error"]


@pytest.fixture
def idle(keras_painter, content, subprocess_backend, tmp_path):
    """A server with training on and no job yet (one may wait)."""
    with _serving(keras_painter, _settings(tmp_path / "work", content,
                                           max_waiting_jobs=1),
                  max_pixels=1_000_000) as client:
        client.jobs_dir = tmp_path / "work" / "jobs"
        yield client


@pytest.mark.parametrize("data, message", [
    (b"these are not the pixels you are looking for",
     "not a JPEG, PNG, WebP or BMP"),
    (encoded(photo_array(128, 128), "JPEG")[:1000], "Send a complete"),
    (_png_header_only(5000, 5000), "`max_pixels`"),
    (encoded(photo_array(48, 200)), "at least 64 pixels on the shorter"),
    (b"", "No painting: the upload is empty"),
])
def test_a_bad_painting_gets_400_and_leaves_nothing(idle, data, message):
    response = idle.post(JOBS, files={"painting": ("p.png", data)})

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert os.listdir(idle.jobs_dir) == []
    assert idle.get(JOBS).json()["jobs"] == []


def test_one_job_trains_one_waits_and_more_are_refused(idle, painting):
    first = idle.post(JOBS, files={"painting": ("a.png", painting)}).json()
    second = idle.post(JOBS, files={"painting": ("b.png", painting)}).json()
    third = idle.post(JOBS, files={"painting": ("c.png", painting)})

    assert first["state"] == "queued" and second["state"] == "queued"
    assert _wait_for(idle, first["job"], ("starting", "preparing"))
    assert idle.get(f"{JOBS}/{second['job']}").json()["position"] == 0
    assert third.status_code == 503
    assert "`max_waiting_jobs`" in third.json()["error"]
    assert "Retry-After" in third.headers


def test_cancelling_kills_the_training_and_removes_its_folder(idle,
                                                              painting):
    first = idle.post(JOBS, files={"painting": ("a.png", painting)}).json()
    second = idle.post(JOBS, files={"painting": ("b.png", painting)}).json()
    _wait_for(idle, first["job"], ("preparing",))
    process = idle.app_state.jobs.jobs[first["job"]].process

    waiting = idle.delete(f"{JOBS}/{second['job']}")
    running = idle.delete(f"{JOBS}/{first['job']}")

    assert waiting.json()["state"] == running.json()["state"] == "cancelled"
    assert process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # No process of its group is left.
    assert os.listdir(idle.jobs_dir) == []
    assert idle.get(f"{JOBS}/{first['job']}/preview.jpg").status_code == 404


def test_a_failed_job_says_why(keras_painter, painting, subprocess_backend,
                               tmp_path):
    settings = _settings(tmp_path / "work", str(tmp_path / "no_photos"))
    with _serving(keras_painter, settings) as client:
        job_id = client.post(JOBS, files={
            "painting": ("a.png", painting)}).json()["job"]
        status = _wait_for(client, job_id, training_job.FINISHED)

    assert status["state"] == "failed"
    assert "no_photos" in status["error"]
    assert os.listdir(tmp_path / "work" / "jobs") == []


@pytest.mark.parametrize("method, path", [
    ("get", JOBS), ("post", JOBS), ("get", f"{JOBS}/0123456789ab"),
    ("delete", f"{JOBS}/0123456789ab"),
    ("get", f"{JOBS}/0123456789ab/events"),
])
def test_without_allow_training_the_routes_say_how_to_turn_it_on(
        client, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 403
    assert "--allow_training" in response.json()["error"]


def test_styles_say_whether_training_is_on(client, finished):
    assert client.get("/v1/styles").json()["training"] is None
    assert finished[0].get("/v1/styles").json()["training"] == {
        "seconds": BUDGET, "min_seconds": 10.0, "max_seconds": 600.0}


def test_training_needs_photos():
    with pytest.raises(ValueError, match="training_content"):
        job_settings.JobSettings(allow_training=True)


def test_the_subprocess_is_the_training_cli(tmp_path):
    jobs = training_jobs.TrainingJobs(
        _settings(tmp_path, "photos"), "base", None, 100)
    job = training_job.Job("0123456789ab", str(tmp_path / "j"), "x", 30.0,
                            jobs.root_model)

    command = jobs.command(job)

    assert command[1:3] == ["-m", "multistyle.cli.train"]
    assert f"--flagfile={FLAGFILE}" in command
    assert command.index(f"--flagfile={FLAGFILE}") > command.index(
        "--image_size=128")  # The flagfile's recipe wins.
    assert f"--base_model={os.path.abspath('base')}" in command
    assert "--time_budget=30" in command
