"""`multistyle-serve`: its help, bad input (exit 2), and a real start."""

import functools
import json
import re
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from multistyle.cli import serve as serve_cli
from tests.conftest import REPO_ROOT
from tests.serving.conftest import LITE_MODEL


@pytest.fixture
def serve(run_cli):
    return functools.partial(run_cli, serve_cli.run)


def test_help_lists_the_servers_flags(serve):
    code, out, _ = serve("--help")

    assert code == 0
    assert "Serves a page where sliders blend the styles live" in out
    for flag in ("model", "preview_model", "host", "port", "max_upload_mb",
                 "max_pixels", "max_in_flight", "max_queue", "timeout",
                 "[no]allow_training", "work_dir", "training_content"):
        assert f"--{flag}:" in out


@pytest.mark.parametrize("args, message", [
    (["--max_in_flight=0"], "--max_in_flight must be positive"),
    (["--timeout=-1"], "--timeout must be positive"),
    (["--port=70000"], "not an integer in the range [0, 65535]"),
    (["--allow_training"], "--allow_training needs --training_content"),
    (["--model=/no/such/model"], "/no/such/model does not exist"),
    (["extra"], "Unexpected arguments"),
])
def test_bad_input_exits_2_saying_why(serve, args, message):
    code, _, err = serve(f"--model={LITE_MODEL}", *args)

    assert code == 2
    assert message in err


def test_port_in_use_exits_2(serve):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = serve(f"--model={LITE_MODEL}", f"--port={port}")

    assert code == 2
    assert "Choose another --port" in err


def test_starts_prints_the_url_and_answers(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "multistyle.cli.serve",
         f"--model={LITE_MODEL}", "--port=0"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        url = re.search(r"Open (http://127\.0\.0\.1:\d+/) in a browser",
                        lines[1]).group(1)
        with urllib.request.urlopen(url + "healthz", timeout=30) as reply:
            health = json.load(reply)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C.
        rest = process.communicate(timeout=30)[0]

    assert "previews: " in lines[0] and "onnx_int8" in lines[0]
    assert health["styles"] == 16
    assert process.returncode == 0
    assert rest.strip().endswith("Stopped.")
