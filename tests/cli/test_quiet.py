"""Quiet by default: TensorFlow's start-up noise is dropped, ours kept."""

import logging
import os
import sys

import pytest

from multistyle.cli import quiet


@pytest.mark.parametrize("argv,verbose", [
    (["tool"], False),
    (["tool", "-v"], True),
    (["tool", "-v", "--input=x"], True),
    (["tool", "-v", "1"], True),
    (["tool", "-v", "0"], False),
    (["tool", "-v=2"], True),
    (["tool", "--verbosity=1"], True),
    (["tool", "--verbosity=0"], False),
    (["tool", "--verbosity=-1"], False),
    (["tool", "--", "-v"], False),
])
def test_verbose_requested(argv, verbose):
    assert quiet.verbose_requested(argv) == verbose


def test_bare_v_becomes_verbosity_1():
    assert quiet.expand_bare_v(["tool", "-v", "--input=x"]) == [
        "tool", "--verbosity=1", "--input=x"]
    assert quiet.expand_bare_v(["tool", "-v", "2"]) == ["tool", "-v", "2"]


@pytest.mark.parametrize("line", [
    "WARNING: All log messages before absl::InitializeLog() is called are "
    "written to STDERR",
    "I0000 00:00:1796162645.303472    5002 port.cc:153] oneDNN custom "
    "operations are on.",
    "W0000 00:00:1796162645.303896    5002 cudart_stub.cc:31] Could not find "
    "cuda drivers on your machine, GPU will not be used.",
    "E0000 00:00:1796162658.640169    5034 cuda_platform.cc:52] failed call "
    "to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR "
    "(303)",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
])
def test_known_start_up_lines_are_noise(line):
    assert quiet._is_noise(line)


@pytest.mark.parametrize("line", [
    "E0000 00:00:1796162658.640169    5034 op_kernel.cc:1] Out of memory",
    "Traceback (most recent call last):",
    "Error: Unknown style 'mona_lisa'",
])
def test_errors_are_not_noise(line):
    assert not quiet._is_noise(line)


def test_filtered_stderr_keeps_only_real_lines(capfd):
    with quiet._stderr_filtered():
        os.write(2, b"I0000 00:00:17.5 12 port.cc:153] oneDNN on\n"
                    b"a real problem\n")
    assert capfd.readouterr().err == "a real problem\n"


def _record(pathname, level=logging.WARNING):
    return logging.LogRecord("absl", level, pathname, 1, "message", None,
                             None)


def test_library_log_records_below_error_are_hidden():
    handler = logging.Handler()
    quiet.filter_library_logs(handler, verbosity=0)
    own = os.path.join(os.path.dirname(quiet.__file__), "x.py")

    assert handler.filter(_record(own, logging.INFO))
    assert not handler.filter(_record("/site-packages/jax/xla_bridge.py"))
    assert handler.filter(_record("/site-packages/jax/x.py", logging.ERROR))


def test_verbosity_1_shows_library_records():
    handler = logging.Handler()
    quiet.filter_library_logs(handler, verbosity=0)
    quiet.filter_library_logs(handler, verbosity=1)

    assert handler.filter(_record("/site-packages/jax/xla_bridge.py"))


def test_tensorflow_logger_info_is_hidden_until_verbosity_1():
    """TensorFlow's logger has its own handler ("INFO:tensorflow:Assets
    written"), so the filter sits on the logger."""
    tf_logger = logging.getLogger("tensorflow")
    record = logging.LogRecord("tensorflow", logging.INFO,
                               "/site-packages/tensorflow/save.py", 1,
                               "Assets written", None, None)
    try:
        quiet.filter_library_logs(logging.Handler(), verbosity=0)
        assert not tf_logger.filter(record)
    finally:
        quiet.filter_library_logs(logging.Handler(), verbosity=1)
    assert tf_logger.filter(record)


def test_install_leaves_an_explicit_tf_log_level(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    assert quiet.install(["tool"])
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_install_does_nothing_with_v(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert not quiet.install(["tool", "-v"])
    assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ
