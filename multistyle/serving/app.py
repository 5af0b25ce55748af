"""The server's routes: the page, the painting API and TF Serving's.

- `GET /`: the page (`static/index.html`; its scripts and styles under
  `/static/`); `GET /healthz`: liveness and load.
- `GET /v1/styles`: the style names in weight order, a thumbnail each
  (`thumbnails`), and the limits a client should know.
- `POST /v1/stylize`: a photo -> PNG or JPEG (`stylize_request`).
- `POST /v1/models/<name>:predict` (and `/versions/1:predict`), `GET
  /v1/models/<name>`: TF Serving's REST API (`tf_serving`).
- `/v1/styles/jobs...`: training a posted painting as a new style
  (`job_routes`, `training_jobs`), with `allow_training`; when a job is
  done, every route paints with its model (`served_model`).

Requests are parsed in the event loop; decoding, painting and encoding
run in `admission`'s worker threads, so the server keeps answering (and
refusing, when full) while it paints. Every error is JSON `{"error":
...}` (`errors`).
"""

import contextlib
import io
import os
import time

from starlette import applications
from starlette import exceptions
from starlette import middleware
from starlette import responses
from starlette import routing
from starlette import staticfiles

from multistyle.serving import admission
from multistyle.serving import errors
from multistyle.serving import instant_preview
from multistyle.serving import job_routes
from multistyle.serving import job_settings
from multistyle.serving import limits as limits_lib
from multistyle.serving import served_model
from multistyle.serving import stylize_request
from multistyle.serving import tf_serving
from multistyle.serving import training_jobs
from multistyle.serving import upload_limit
from multistyle.serving import uploads

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "static")
_MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
# The page loads nothing from elsewhere; photos and paintings are blobs.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob: mediastream:"),
    "X-Content-Type-Options": "nosniff",
}


def encode(image, fmt):
    """A PIL image as PNG or JPEG (quality 92) bytes."""
    buffer = io.BytesIO()
    options = {"quality": 92} if fmt == "JPEG" else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _bad_input_is_400(work):
    """`work`, with the library's ValueErrors (bad photo, bad inputs)
    raised as `ApiError` 400."""

    def run(deadline):
        try:
            return work(deadline)
        except ValueError as e:
            raise errors.bad_request(e) from e

    return run


def _http_error(unused_request, error):
    return errors.response(errors.ApiError(error.status_code, error.detail,
                                           error.headers))


def _api_error(unused_request, error):
    return errors.response(error)


def create_app(painter, limits=limits_lib.Limits(), model_name=None,
               jobs=job_settings.JobSettings()):
    """The ASGI app serving `painter` within `limits`.

    Args:
        painter: A `painter.Painter`.
        limits: A `limits.Limits`.
        model_name: The name in TF Serving's URLs; default the model
            folder's name (`multistyle16`).
        jobs: A `job_settings.JobSettings`: whether and how posted
            paintings are trained as new styles.

    Returns:
        A Starlette app; run it with uvicorn (`server`), or test it with
        `starlette.testclient.TestClient` (as a context manager, so its
        startup and shutdown run). `app.state.jobs` is the
        `training_jobs.TrainingJobs` (None with training off).
    """
    model_name = model_name or os.path.basename(
        os.path.normpath(painter.full.model_dir))
    queue = admission.AdmissionQueue(limits.max_in_flight, limits.max_queue,
                                     limits.retry_after)
    served = served_model.ServedModel(painter)
    training = None
    if jobs.allow_training:
        training = training_jobs.TrainingJobs(
            jobs, painter.full.model_dir, served.switch, limits.max_pixels)
    instant = instant_preview.InstantPreview(served)

    async def index(unused_request):
        return responses.FileResponse(os.path.join(STATIC_DIR, "index.html"),
                                      headers=_PAGE_HEADERS)

    async def healthz(unused_request):
        painter, styles = served.current
        return responses.JSONResponse({
            "status": "ok", "model": model_name, "styles": len(styles),
            "runtime": {"full": painter.full.runtime,
                        "preview": painter.preview.runtime},
            "painting": queue.painting, "waiting": queue.waiting})

    async def list_styles(unused_request):
        return responses.JSONResponse({
            "styles": served.styles, "model": model_name,
            "preview_size": limits.preview_size,
            "max_upload_mb": limits.max_upload_mb,
            "max_pixels": limits.max_pixels,
            "training": training and {
                "seconds": jobs.training_seconds,
                "min_seconds": training_jobs.MIN_SECONDS,
                "max_seconds": jobs.max_training_seconds}},
            headers={"Cache-Control": "no-store"})

    async def paint_response(work, deadline, media_type):
        start = time.perf_counter()
        body = await queue.run(_bad_input_is_400(work), deadline)
        return responses.Response(body, media_type=media_type, headers={
            "Cache-Control": "no-store",
            "X-Seconds": f"{time.perf_counter() - start:.3f}"})

    async def stylize(request):
        deadline = admission.Deadline(limits.timeout)
        painter = served.painter
        parsed = await stylize_request.parse(request, painter,
                                             limits.preview_size)

        def work(deadline):
            photo = uploads.decode_image(parsed.image, limits.max_pixels)
            mask = (None if parsed.mask is None else
                    uploads.decode_mask(parsed.mask, limits.max_pixels))
            return encode(painter.paint(photo, parsed.options, deadline,
                                        mask), parsed.format)

        return await paint_response(work, deadline,
                                    _MEDIA_TYPES[parsed.format])

    def check_model(request):
        name = request.path_params["name"]
        version = request.path_params.get("version", "1")
        if name != model_name or version != "1":
            raise errors.ApiError(
                404, f"Servable not found for request: {name} version "
                     f"{version}. This server serves {model_name!r}, "
                     "version 1.")

    async def predict(request):
        deadline = admission.Deadline(limits.timeout)
        check_model(request)
        body = await request.body()
        painter = served.painter

        def work(deadline):
            images, weights, columnar = tf_serving.parse_predict(
                body, painter.style_names, limits.max_pixels)
            return tf_serving.predict_response(
                painter.paint_batch(images, weights, deadline), columnar)

        return await paint_response(work, deadline, "application/json")

    async def model_status(request):
        check_model(request)
        return responses.JSONResponse(tf_serving.status_response())

    @contextlib.asynccontextmanager
    async def lifespan(unused_app):
        if training is not None:
            await training.start()
        yield
        if training is not None:
            await training.close()
        queue.close()

    routes = [
        routing.Route("/", index),
        routing.Route("/healthz", healthz),
        routing.Route("/v1/styles", list_styles),
        routing.Route("/v1/stylize", stylize, methods=["POST"]),
        routing.Route("/v1/models/{name}:predict", predict,
                      methods=["POST"]),
        routing.Route("/v1/models/{name}/versions/{version}:predict",
                      predict, methods=["POST"]),
        routing.Route("/v1/models/{name}", model_status),
        *job_routes.routes(training, served,
                           lambda job: encode(instant(job), "JPEG")),
        routing.Mount("/static", staticfiles.StaticFiles(
            directory=STATIC_DIR)),
    ]
    app = applications.Starlette(
        routes=routes, lifespan=lifespan,
        middleware=[middleware.Middleware(
            upload_limit.UploadSizeLimit,
            max_bytes=limits.max_upload_bytes)],
        exception_handlers={errors.ApiError: _api_error,
                            exceptions.HTTPException: _http_error})
    app.state.queue = queue
    app.state.jobs = training
    app.state.served = served
    return app
