"""Serves a page where sliders blend the styles live, and an HTTP API.

Open the printed URL: drop a photo (or use the webcam), move the style
sliders and the preview repaints as they move (painted small, with the
fast preview model); "Download full size" paints the photo at its own
resolution with the full model. Scripts use the same API: POST
/v1/stylize (a photo in, PNG or JPEG out), GET /v1/styles, GET /healthz,
and TensorFlow Serving's POST /v1/models/NAME:predict. It listens on
127.0.0.1 (this machine only) unless --host says otherwise; Ctrl+C stops
it. Needs the serve extra: pip install -e ".[serve]".

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
from multistyle.serving import limits as limits_lib

flags.declare_key_flag("model")
_PREVIEW_MODEL = flags.DEFINE_string(
    "preview_model", None,
    "Model folder or preset name with the same styles for the live "
    "preview, the faster the better. Default: the --model folder's _lite "
    "sibling if there is one (multistyle16_lite), else --model.")
_HOST = flags.DEFINE_string(
    "host", "127.0.0.1",
    "Address to listen on. 127.0.0.1 serves this machine only; 0.0.0.0 "
    "serves every network the machine is on.")
_PORT = flags.DEFINE_integer(
    "port", 8080, "TCP port to listen on; 0 picks a free one.",
    lower_bound=0, upper_bound=65535)
_MODEL_NAME = flags.DEFINE_string(
    "model_name", None,
    "The model's name in TF Serving URLs (/v1/models/NAME:predict). "
    "Default: the model folder's name.")
# --max_upload_mb, --max_pixels, ...: one flag per field of `Limits`,
# which holds their defaults and help.
for _field in dataclasses.fields(limits_lib.Limits):
    config_flags.define(limits_lib.Limits, _field.name, __name__)
_ACCESS_LOG = flags.DEFINE_bool(
    "access_log", False, "Log one line per request (uvicorn's access log).")


def main():
    limits = config_flags.build(limits_lib.Limits,
                                flags.FLAGS.flag_values_dict())
    try:
        from multistyle.serving import app as app_lib
        from multistyle.serving import painter as painter_lib
        from multistyle.serving import server
    except ImportError as e:
        raise ValueError(
            f"multistyle-serve needs the serve extra ({e}): "
            'pip install -e ".[serve]"') from e
    model = inference_flags.model_dir()
    preview = (presets.resolve_model_dir(_PREVIEW_MODEL.value,
                                         argument="preview_model")
               if _PREVIEW_MODEL.value
               else painter_lib.default_preview_model(model))
    painter = painter_lib.Painter(model, preview)
    application = app_lib.create_app(painter, limits, _MODEL_NAME.value)
    sock = server.bind(_HOST.value, _PORT.value)
    print(f"Serving {model} ({len(painter.style_names)} styles; previews: "
          f"{painter.preview.model_dir}, {painter.preview.runtime}).\n"
          f"Open {server.url(sock)} in a browser; Ctrl+C stops.",
          flush=True)
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
