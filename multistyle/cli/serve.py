"""Serves a page where sliders blend the styles live, and an HTTP API.

Open the printed URL, drop a photo (or use the webcam) and move the style
sliders: the preview repaints as they move (small, with the fast preview
model); "Download full size" paints with the full model. Scripts use the
same API (docs/serving.md): POST /v1/stylize, GET /v1/styles, /healthz,
TF Serving's POST /v1/models/NAME:predict and, with --allow_training
("Add a painting": a posted painting trains as a new style in
--work_dir), /v1/styles/jobs. It listens on 127.0.0.1 unless --host says
otherwise; Ctrl+C stops it. Needs the serve extra: pip install -e ".[serve]".

Examples:
    multistyle-serve
    multistyle-serve --model=multistyle16 --port=8000
    curl -F image=@photo.jpg -F weights=starry_night=0.7,udnie=0.3 \\
        http://127.0.0.1:8080/v1/stylize -o painted.png
"""

import dataclasses

from absl import flags

from multistyle.cli import app_runner
from multistyle.cli import config_flags
from multistyle.cli import inference_flags
from multistyle.model_folder import presets
from multistyle.serving import job_settings
from multistyle.serving import limits as limits_lib

flags.declare_key_flag("model")
_PREVIEW_MODEL = flags.DEFINE_string("preview_model", None,
    "Model folder or preset name with the same styles for the live "
    "preview, the faster the better. Default: the --model folder's _lite "
    "sibling if there is one (multistyle16_lite), else --model.")
_HOST = flags.DEFINE_string("host", "127.0.0.1",
    "Address to listen on. 127.0.0.1 serves this machine only; 0.0.0.0 "
    "serves every network the machine is on.")
_PORT = flags.DEFINE_integer("port", 8080, "TCP port to listen on; 0 picks "
                             "a free one.", lower_bound=0, upper_bound=65535)
_MODEL_NAME = flags.DEFINE_string("model_name", None,
    "The model's name in TF Serving URLs (/v1/models/NAME:predict). "
    "Default: the model folder's name.")
# --max_upload_mb, ..., --allow_training, ...: one flag per field of
# `Limits` and `JobSettings`, which hold their defaults and help.
_CONFIGS = (limits_lib.Limits, job_settings.JobSettings)
for _config in _CONFIGS:
    for _field in dataclasses.fields(_config):
        config_flags.define(_config, _field.name, __name__)
_ACCESS_LOG = flags.DEFINE_bool(
    "access_log", False, "Log one line per request (uvicorn's access log).")


def main():
    limits, jobs = (config_flags.build(c, flags.FLAGS.flag_values_dict())
                    for c in _CONFIGS)
    try:
        from multistyle.serving import app as app_lib
        from multistyle.serving import painter as painter_lib
        from multistyle.serving import server
    except ImportError as e:
        raise ValueError(
            f"multistyle-serve needs the serve extra ({e}): "
            'pip install -e ".[serve]"') from e
    model = inference_flags.model_dir()
    preview = _PREVIEW_MODEL.value and presets.resolve_model_dir(
        _PREVIEW_MODEL.value, argument="preview_model")
    painter = painter_lib.Painter(
        model, preview or painter_lib.default_preview_model(model))
    application = app_lib.create_app(painter, limits, _MODEL_NAME.value,
                                     jobs)
    sock = server.bind(_HOST.value, _PORT.value)
    print(f"Serving {model} ({len(painter.style_names)} styles; previews: "
          f"{painter.preview.model_dir}, {painter.preview.runtime}).\n"
          f"Open {server.url(sock)} in a browser; Ctrl+C stops.", flush=True)
    if jobs.allow_training:
        print("Training jobs in", application.state.jobs.work_dir, flush=True)
    if _HOST.value not in (server.LOOPBACK, "localhost", "::1"):
        print(f"Listening on {_HOST.value}: anyone who can reach this "
              "machine can use the server.", flush=True)
    try:
        server.make_server(application, _ACCESS_LOG.value).run(
            sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C once it stopped.
        pass
    print("Stopped.", flush=True)
    return 0


def run():
    app_runner.run(main)


if __name__ == "__main__":
    run()
