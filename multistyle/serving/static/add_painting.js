// "Add a painting" (app.js): a dropped or chosen painting is posted to
// POST /v1/styles/jobs, where the server trains it as a new style. The
// job's status comes as server-sent events (its `events` link); its
// preview (the sample photo in the new style, from the newest weights) is
// reloaded every few seconds; when the job is done, the new style's
// slider joins the others and its model can be downloaded as a zip.
// Shown only when GET /v1/styles says the server trains (`training`).
// Loaded before app.js, whose `state`, `$`, `styleRow`, `errorText` and
// `bindDropZone` these functions use when called.
"use strict";

const PREVIEW_EVERY_MS = 3000;
const FINISHED = ["done", "failed", "cancelled"];
const STATE_TEXT = {
  queued: "Waiting for the job before it",
  starting: "Starting",
  preparing: "Reading the model and the painting",
  training: "Training",
  writing: "Writing the model",
  loading: "Loading the new model",
};

const job = {
  status: null,   // The newest status of the job on show.
  events: null,   // Its EventSource while it runs.
  timer: null,    // The preview reloader.
};

function setJobStatus(text, isError = false) {
  $("job-status").textContent = text;
  $("job-status").classList.toggle("error", isError);
}

function jobText(status) {
  if (status.state === "done") {
    return `Done: "${status.name.replaceAll("_", " ")}" is a style now ` +
           `(${status.step} steps, ${Math.round(status.seconds)} s).`;
  }
  if (status.state === "failed") return `Failed: ${status.error}`;
  if (status.state === "cancelled") return "Cancelled.";
  let text = STATE_TEXT[status.state] || status.state;
  if (status.state === "queued" && status.position > 0) {
    text += ` (and ${status.position} more)`;
  }
  if (status.num_steps) text += `: step ${status.step} of ${status.num_steps}`;
  if (status.seconds_left !== null && status.seconds_left !== undefined) {
    text += `, about ${Math.ceil(status.seconds_left)} s left`;
  }
  return `${text}…`;
}

// Reloads the job's preview, swapping it in once it has loaded.
function reloadJobPreview() {
  if (!job.status) return;
  const next = new Image();
  next.onload = () => {
    $("job-preview").src = next.src;
    $("job-preview").hidden = false;
  };
  next.src = `${job.status.links.preview}?t=${Date.now()}`;
}

// Adds the sliders of styles the page does not have yet (the new one).
async function addNewStyles() {
  const response = await fetch("/v1/styles");
  if (!response.ok) return;
  const known = new Set(state.styles.map((style) => style.name));
  for (const style of (await response.json()).styles) {
    if (known.has(style.name)) continue;
    state.styles.push(style);
    $("styles").append(styleRow(style, 0));
    for (const id of ["mask-brush-style", "mask-other-style"]) {
      $(id).append(new Option(style.name.replaceAll("_", " "), style.name));
    }
  }
}

async function showJob(status) {
  job.status = status;
  const finished = FINISHED.includes(status.state);
  $("job").hidden = false;
  $("job-progress").value = status.state === "done" ? 1
    : status.num_steps ? status.step / status.num_steps : 0;
  $("job-cancel").hidden = finished || status.state === "loading";
  setJobStatus(jobText(status), status.state === "failed");
  if (!finished) return;
  if (job.events) job.events.close();
  clearInterval(job.timer);
  job.events = job.timer = null;
  $("painting-input").disabled = false;
  if (status.state !== "done") return;
  reloadJobPreview();
  const link = $("job-model");
  link.href = status.links.model;
  link.download = `${status.name}_model.zip`;
  link.hidden = false;
  await addNewStyles();
}

function followJob(status) {
  showJob(status);
  job.events = new EventSource(status.links.events);
  job.events.onmessage = (event) => showJob(JSON.parse(event.data));
  job.timer = setInterval(reloadJobPreview, PREVIEW_EVERY_MS);
  reloadJobPreview();
}

async function addPainting(file) {
  if (!file) return;
  const form = new FormData();
  form.append("painting", file, file.name || "painting");
  form.append("seconds", $("painting-seconds").value);
  $("job").hidden = false;
  $("job-model").hidden = true;
  $("job-preview").hidden = true;
  setJobStatus(`Sending ${file.name}…`);
  const response = await fetch("/v1/styles/jobs", {
    method: "POST", body: form,
  });
  if (!response.ok) {
    setJobStatus(await errorText(response), true);
    return;
  }
  $("painting-input").disabled = true;
  followJob(await response.json());
}

async function cancelJob() {
  if (!job.status) return;
  const response = await fetch(job.status.links.status, { method: "DELETE" });
  if (!response.ok) {
    setJobStatus(await errorText(response), true);
    return;
  }
  showJob(await response.json());
}

async function bindAddPainting(training) {
  if (!training) return;
  $("add-painting").hidden = false;
  const seconds = $("painting-seconds");
  Object.assign(seconds, { min: training.min_seconds,
                           max: training.max_seconds,
                           value: training.seconds });
  $("painting-input").addEventListener(
    "change", (event) => addPainting(event.target.files[0]));
  $("job-cancel").addEventListener("click", cancelJob);
  bindDropZone("painting-drop", (file) => {
    if (!$("painting-input").disabled) addPainting(file);
  });
  // A job that runs already (the page was reloaded): follow it.
  const response = await fetch("/v1/styles/jobs");
  const running = response.ok && (await response.json()).jobs.find(
    (status) => !FINISHED.includes(status.state));
  if (running) {
    $("painting-input").disabled = true;
    followJob(running);
  }
}
