"""The training-job routes: post a painting, follow it, cancel it, take it.

- `POST /v1/styles/jobs`: multipart `painting` (a file), optional
  `seconds` (time budget) and `name` (default: from the file name) ->
  202 and the job's status; 400 for a bad painting (nothing is kept), 409
  for a taken name, 503 when a job trains and the queue is full.
- `GET /v1/styles/jobs`: every job's status; `GET /v1/styles/jobs/ID`:
  one (`state`: queued, starting, preparing, training, writing, loading,
  done, failed or cancelled; `step`, `num_steps`, `seconds`,
  `seconds_left`, `loss` as the subprocess's `progress.json` says;
  `error` when failed).
- `GET /v1/styles/jobs/ID/events`: the status as server-sent events,
  about every second, until the job has finished.
- `GET /v1/styles/jobs/ID/preview.jpg`: the sample photo painted in the
  new style from the newest weights; before the first one exists (the
  subprocess is still starting), a stand-in (`instant_preview`).
- `DELETE /v1/styles/jobs/ID`: cancels (kills the subprocess, removes
  the job's folder).
- `GET /v1/styles/jobs/ID/model.zip`: the finished model folder.

Without `allow_training` every one of them answers 403, saying how to
turn training on.
"""

import asyncio
import io
import json
import os
import zipfile

from starlette import datastructures
from starlette import exceptions
from starlette import responses
from starlette import routing

from multistyle.serving import errors
from multistyle.serving import training_job

FIELDS = ("painting", "seconds", "name")
EVENT_SECONDS = 1.0
_NO_STORE = {"Cache-Control": "no-store"}


def _off_error():
    return errors.ApiError(
        403, "Adding paintings is off on this server: start it with "
             "`multistyle-serve --allow_training --training_content=PHOTOS` "
             "to train new styles.")


async def _form(request):
    """The posted fields, the painting as `(bytes, file name)`."""
    if not request.headers.get("content-type", "").startswith(
            "multipart/form-data"):
        raise ValueError(
            "Post the painting as multipart/form-data, the file as the "
            "field `painting` (curl -F painting=@painting.jpg).")
    try:
        form = await request.form(max_files=1, max_fields=len(FIELDS))
    except exceptions.HTTPException as e:
        raise ValueError(f"Cannot read the form ({e.detail}). Send the "
                         "painting as the file field `painting`.") from e
    try:
        fields = {}
        for name, value in form.multi_items():
            if name not in FIELDS or name in fields:
                raise ValueError(
                    f"Unknown or repeated field `{name}`. The fields are: "
                    f"{', '.join(FIELDS)}, each once.")
            if isinstance(value, datastructures.UploadFile) != (
                    name == "painting"):
                raise ValueError("`painting` must be a file upload and "
                                 "`seconds` and `name` text fields.")
            if name == "painting":
                value = (await value.read(), value.filename)
            fields[name] = value
    finally:
        await form.close()
    return fields


def _zip(model_dir, folder_name):
    """The files of a model folder as zip bytes, in `folder_name/`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(os.listdir(model_dir)):
            archive.write(os.path.join(model_dir, name),
                          f"{folder_name}/{name}")
    return buffer.getvalue()


def routes(jobs, served, stand_in):
    """The job routes.

    Args:
        jobs: The server's `training_jobs.TrainingJobs`, or None when
            training is off.
        served: The `served_model.ServedModel` (its style names are
            taken).
        stand_in: `stand_in(job)`: JPEG bytes to show before the job's
            first preview exists (blocking; run in a worker thread).

    Returns:
        A list of Starlette routes.
    """

    def job_of(request):
        if jobs is None:
            raise _off_error()
        return jobs.get(request.path_params["job_id"])

    def status(job):
        base = f"/v1/styles/jobs/{job.id}"
        links = {"status": base, "events": f"{base}/events",
                 "preview": f"{base}/preview.jpg"}
        if job.state == training_job.DONE:
            links["model"] = f"{base}/model.zip"
        return {**jobs.status(job), "links": links}

    async def list_jobs(unused_request):
        if jobs is None:
            raise _off_error()
        return responses.JSONResponse(
            {"jobs": [status(job) for job in jobs.jobs.values()]},
            headers=_NO_STORE)

    async def post_job(request):
        if jobs is None:
            raise _off_error()
        try:
            fields = await _form(request)
            data, filename = fields.get("painting", (b"", None))
            seconds = jobs.seconds_of(fields.get("seconds"))
            job = await jobs.submit(data, filename, fields.get("name"),
                                    seconds, served.painter.style_names)
        except ValueError as e:
            raise errors.bad_request(e) from e
        return responses.JSONResponse(status(job), status_code=202,
                                      headers=_NO_STORE)

    async def get_job(request):
        return responses.JSONResponse(status(job_of(request)),
                                      headers=_NO_STORE)

    async def delete_job(request):
        job = job_of(request)
        await jobs.cancel(job.id)
        return responses.JSONResponse(status(job), headers=_NO_STORE)

    async def events(request):
        job = job_of(request)

        async def stream():
            while True:
                current = status(job)
                yield f"data: {json.dumps(current)}\n\n"
                if current["state"] in training_job.FINISHED:
                    return
                await asyncio.sleep(EVENT_SECONDS)

        return responses.StreamingResponse(
            stream(), media_type="text/event-stream", headers=_NO_STORE)

    async def preview(request):
        job = job_of(request)
        if os.path.isfile(job.preview_path):
            try:
                with open(job.preview_path, "rb") as f:
                    return responses.Response(f.read(), media_type=(
                        "image/jpeg"), headers={**_NO_STORE,
                                                "X-Preview": "training"})
            except OSError:
                pass  # Removed by a cancel meanwhile.
        if job.state in (training_job.FAILED, training_job.CANCELLED):
            raise errors.ApiError(
                404, f"Job {job.id} was {job.state}; its preview is gone.")
        body = await asyncio.to_thread(stand_in, job)
        return responses.Response(body, media_type="image/jpeg", headers={
            **_NO_STORE, "X-Preview": "stand-in"})

    async def model_zip(request):
        job = job_of(request)
        if job.state != training_job.DONE:
            raise errors.ApiError(
                409, f"Job {job.id} is {job.state}: its model is there "
                     "once it is done.")
        folder = f"{os.path.basename(job.root_model)}_{job.name}"
        body = await asyncio.to_thread(_zip, job.model_dir, folder)
        return responses.Response(body, media_type="application/zip",
                                  headers={"Content-Disposition": (
                                      f'attachment; filename="{folder}.zip"')})

    path = "/v1/styles/jobs/{job_id}"
    return [
        routing.Route("/v1/styles/jobs", list_jobs),
        routing.Route("/v1/styles/jobs", post_job, methods=["POST"]),
        routing.Route(path, get_job),
        routing.Route(path, delete_job, methods=["DELETE"]),
        routing.Route(f"{path}/events", events),
        routing.Route(f"{path}/preview.jpg", preview),
        routing.Route(f"{path}/model.zip", model_zip),
    ]
