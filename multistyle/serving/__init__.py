"""The live-blending server: an HTTP API and a page over a model folder.

`multistyle-serve` (`cli/serve.py`) runs `app.create_app` on uvicorn
(`server`). The modules, one job each:

- `limits`: the server's limits (upload size, pixels, queue, timeout);
- `upload_limit`: refuses request bodies over the upload cap (413);
- `admission`: at most N paintings in flight, a bounded queue (503);
- `uploads`: photo bytes -> uint8 RGB, refusing bombs and odd formats;
- `stylize_request`: a `/v1/stylize` request -> a photo and options;
- `tf_serving`: TensorFlow Serving's REST predict format;
- `painter`: paints with the model (full) and its fast twin (preview);
- `thumbnails`: a small picture of each style for the page;
- `errors`: the JSON error every route answers with;
- `served_model`: the painter the routes use, which a training job
  replaces;
- `job_settings`, `training_job`, `training_jobs`, `job_routes`,
  `instant_preview`: a posted painting trained as a new style in a
  `multistyle-train` subprocess (with `allow_training`): the settings,
  one job, the queue, the routes, the stand-in preview;
- `app`: the routes; `static/`: the page (HTML, CSS, JS; no build step).

Needs the `serve` extra: `pip install -e ".[serve]"`.
"""
