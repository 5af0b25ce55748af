// The live-blending page: sliders -> POST /v1/stylize -> the preview.
//
// Previews are coalesced: at most one request is in flight, and when it
// returns the next one is built from the controls as they are *then*, so
// the newest slider position always wins and stale ones are never sent.
// The preview is painted small (the server's preview size) with the fast
// model; "Download full size" sends the original photo to the full model.
// In mask mode the brushed canvas over the preview (mask.js) is sent as
// the style mask. Live webcam previews go through webcam_coherence.js,
// which blends each painted frame with the previous one moved along the
// motion, so the preview does not flicker. "Add a painting" (when the
// server trains) is add_painting.js.
"use strict";

const $ = (id) => document.getElementById(id);
// Share of the previous webcam preview (moved along the motion) kept in
// the next one, as multistyle-video --temporal_smoothing=0.8.
const WEBCAM_STEADINESS = 0.8;

const state = {
  styles: [],         // [{name, index, thumbnail}], from GET /v1/styles.
  previewSize: 384,
  photo: null,        // The original photo: a File or a Blob.
  photoName: "photo",
  previewPhoto: null, // The photo at most previewSize on its long side.
  webcam: null,       // The MediaStream while the webcam is on.
  // Flicker reduction of the live webcam preview.
  coherence: new WebcamCoherence.Coherence(WEBCAM_STEADINESS),
  busy: false,        // A preview request is in flight.
  wanted: false,      // The controls changed since it was sent.
  shown: null,        // Object URL of the preview on screen,
  shownBlob: null,    // and the painting itself.
  maskMode: false,    // Brushing a style mask instead of the sliders.
  maskStrokes: 0,     // Brush dabs so far (the mask's version).
  lastBrush: null,    // Where the brush was, while a stroke goes on.
};

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

// The painting options as the API takes them, from the controls; null
// when every style slider is at 0.
function paintParams() {
  const params = new URLSearchParams({
    strength: $("strength").value,
    stroke_scale: $("stroke-scale").value,
    preserve_color: $("preserve-color").checked ? "true" : "false",
  });
  if (state.maskMode) {
    params.set("mask_styles", `${$("mask-brush-style").value},` +
                              $("mask-other-style").value);
    return params;
  }
  const weights = state.styles
    .map((style) => [style.name, Number($(`w-${style.index}`).value)])
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${name}=${value}`);
  if (weights.length === 0) return null;
  params.set("weights", weights.join(","));
  return params;
}

async function errorText(response) {
  try {
    return (await response.json()).error;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// POSTs `photo` (and in mask mode the mask) with `params`; returns the
// painted Blob, or throws an Error whose `retryAfter` is set when the
// server was busy.
async function stylize(photo, params) {
  const form = new FormData();
  form.append("image", photo, "photo");
  if (state.maskMode) form.append("mask", await maskBlob(), "mask");
  const response = await fetch(`/v1/stylize?${params}`, {
    method: "POST", body: form,
  });
  if (!response.ok) {
    const error = new Error(await errorText(response));
    error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
    throw error;
  }
  return response.blob();
}

function showPreview(blob, params, maskVersion, milliseconds) {
  const image = $("preview");
  const old = state.shown;
  state.shown = URL.createObjectURL(blob);
  state.shownBlob = blob;
  image.src = state.shown;
  image.dataset.params = params.toString();
  image.dataset.mask = maskVersion;
  image.dataset.updates = String(Number(image.dataset.updates || 0) + 1);
  image.hidden = false;
  $("drop-hint").hidden = true;
  $("drop-zone").classList.add("has-photo");
  if (old) URL.revokeObjectURL(old);
  setStatus(`Preview painted in ${Math.round(milliseconds)} ms.`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Paints one preview of the current controls; returns whether it did.
async function paintPreviewNow() {
  if (state.webcam) state.previewPhoto = await webcamFrame(state.previewSize);
  const params = paintParams();
  if (!state.previewPhoto) return false;
  if (!params) {
    setStatus("Move a style slider above 0 to paint.");
    return false;
  }
  params.set("preview", "true");
  params.set("format", "jpeg");
  const maskVersion = state.maskMode ? String(state.maskStrokes) : "";
  const start = performance.now();
  try {
    let blob = await stylize(state.previewPhoto, params);
    if (state.webcam) {
      blob = await steadyWebcamFrame(state.previewPhoto, blob,
                                     `${params}|${maskVersion}`);
    }
    showPreview(blob, params, maskVersion, performance.now() - start);
    return true;
  } catch (error) {
    setStatus(error.message, true);
    if (error.retryAfter) {  // Busy: try again, with the newest values.
      await sleep(1000 * error.retryAfter);
      state.wanted = true;
    }
    return false;
  }
}

// Asks for a preview of the current controls (see the file's comment).
async function requestPreview() {
  state.wanted = true;
  if (state.busy) return;
  state.busy = true;
  try {
    while (state.wanted) {
      state.wanted = false;
      const painted = await paintPreviewNow();
      // Live webcam: the next frame, unless painting failed (no spinning
      // on an error; the next slider move or retry starts again).
      if (state.webcam && painted) state.wanted = true;
    }
  } finally {
    state.busy = false;
  }
}

// `width` x `height` shrunk to at most `longSide`, as a canvas' size.
function fitted(width, height, longSide) {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)),
           height: Math.max(1, Math.round(height * scale)) };
}

// `source` (an image, bitmap or video) as a Blob, at most `longSide`.
function drawnBlob(source, width, height, longSide, type) {
  const canvas = document.createElement("canvas");
  Object.assign(canvas, fitted(width, height, longSide));
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, type, 0.92));
}

// The photo for previews: as it is if it fits, else downsized here, so
// each slider move uploads a few kilobytes, not the whole photo.
async function previewPhotoOf(file) {
  const bitmap = await createImageBitmap(file);
  const { width, height } = bitmap;
  resetMask(fitted(width, height, state.previewSize));
  if (Math.max(width, height) <= state.previewSize) {
    bitmap.close();
    return file;
  }
  const blob = await drawnBlob(bitmap, width, height, state.previewSize,
                               "image/png");
  bitmap.close();
  return blob;
}

async function usePhoto(file) {
  if (!file) return;
  stopWebcam();
  try {
    state.previewPhoto = await previewPhotoOf(file);
  } catch {
    setStatus(`${file.name} is not a photo this browser can read; ` +
              "use a JPEG, PNG, WebP or BMP file.", true);
    return;
  }
  state.photo = file;
  state.photoName = (file.name || "photo").replace(/\.[^.]*$/, "");
  $("download").disabled = false;
  requestPreview();
}

function webcamFrame(longSide, type = "image/jpeg") {
  const video = $("webcam");
  return drawnBlob(video, video.videoWidth, video.videoHeight, longSide,
                   type);
}

// The painted webcam frame blended with the previous preview moved along
// the motion (webcam_coherence.js); `key` names the painting options, so
// a new style or mask shows at once. Returns a JPEG Blob.
async function steadyWebcamFrame(photo, painted, key) {
  const [source, paint] = await Promise.all(
    [createImageBitmap(photo), createImageBitmap(painted)]);
  if (!state.webcam) {  // Stopped meanwhile: start no new history.
    source.close();
    paint.close();
    return painted;
  }
  const { width, height } = paint;
  const canvas = document.createElement("canvas");
  Object.assign(canvas, { width, height });
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, width, height);
  const sourcePixels = context.getImageData(0, 0, width, height);
  context.drawImage(paint, 0, 0);
  const paintPixels = context.getImageData(0, 0, width, height);
  source.close();
  paint.close();
  const shown = state.coherence.apply(sourcePixels, paintPixels, key);
  context.putImageData(new ImageData(shown, width, height), 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
}

async function startWebcam() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus("This browser offers no webcam here (it needs localhost " +
              "or https).", true);
    return;
  }
  try {
    state.webcam = await navigator.mediaDevices.getUserMedia({ video: true });
  } catch (error) {
    setStatus(`No webcam: ${error.message}`, true);
    return;
  }
  const video = $("webcam");
  video.srcObject = state.webcam;
  state.coherence.reset();
  await video.play();
  resetMask(fitted(video.videoWidth, video.videoHeight, state.previewSize));
  state.photoName = "webcam";
  $("download").disabled = false;
  requestPreview();
}

function stopWebcam() {
  if (!state.webcam) return;
  state.webcam.getTracks().forEach((track) => track.stop());
  state.webcam = null;
  state.coherence.reset();
  $("webcam").srcObject = null;
}

async function toggleWebcam() {
  if (state.webcam) {
    // Keep the last frame as the photo, so sliders still repaint it.
    state.photo = await webcamFrame(1e9, "image/png");
    state.previewPhoto = await previewPhotoOf(state.photo);
    stopWebcam();
    setStatus("Webcam off; the last frame stays.");
  } else {
    await startWebcam();
  }
}

async function downloadFullSize() {
  const params = paintParams();
  if (!params) {
    setStatus("Move a style slider above 0 to paint.", true);
    return;
  }
  const photo = state.webcam ? await webcamFrame(1e9, "image/png")
                             : state.photo;
  params.set("format", "jpeg");
  const button = $("download");
  button.disabled = true;
  setStatus("Painting the full-size picture…");
  const start = performance.now();
  try {
    const blob = await stylize(photo, params);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${state.photoName}-painted.jpg`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    setStatus(`Full size painted in ${((performance.now() - start) / 1000)
      .toFixed(1)} s.`);
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    button.disabled = false;
  }
}

function styleRow(style, value) {
  const row = document.createElement("label");
  row.className = "style-row";
  const thumbnail = document.createElement("img");
  thumbnail.src = style.thumbnail;
  thumbnail.alt = "";
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = style.name.replaceAll("_", " ");
  const slider = document.createElement("input");
  Object.assign(slider, { type: "range", min: 0, max: 1, step: 0.01, value,
                          id: `w-${style.index}` });
  slider.dataset.style = style.name;
  const output = document.createElement("output");
  output.textContent = Number(value).toFixed(2);
  slider.addEventListener("input", () => {
    output.textContent = Number(slider.value).toFixed(2);
    requestPreview();
  });
  row.append(thumbnail, name, slider, output);
  return row;
}

function setWeights(values) {
  values.forEach((value, i) => {
    const slider = $(`w-${i}`);
    slider.value = value;
    slider.dispatchEvent(new Event("input"));
  });
}

function bindControl(id, format) {
  const input = $(id);
  const output = $(`${id}-value`);
  input.addEventListener("input", () => {
    if (output) output.textContent = format(Number(input.value));
    requestPreview();
  });
}

// Files dropped on the element `id` go to `use(file)`.
function bindDropZone(id, use) {
  const zone = $(id);
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    use(event.dataTransfer.files[0]);
  });
}

async function start() {
  const response = await fetch("/v1/styles");
  if (!response.ok) {
    setStatus(`Cannot load the styles: ${await errorText(response)}`, true);
    return;
  }
  const info = await response.json();
  state.styles = info.styles;
  state.previewSize = info.preview_size;
  $("styles").append(...state.styles.map(
    (style, i) => styleRow(style, i === 0 ? 1 : 0)));
  bindControl("strength", (v) => v.toFixed(2));
  bindControl("stroke-scale", (v) => v.toFixed(1));
  $("preserve-color").addEventListener("change", requestPreview);
  $("file-input").addEventListener(
    "change", (event) => usePhoto(event.target.files[0]));
  $("choose-another").addEventListener("click", () => $("file-input").click());
  $("webcam-button").addEventListener("click", toggleWebcam);
  $("webcam-toggle").addEventListener("click", toggleWebcam);
  $("download").addEventListener("click", downloadFullSize);
  $("reset").addEventListener("click", () => setWeights(
    state.styles.map((_, i) => (i === 0 ? 1 : 0))));
  $("shuffle").addEventListener("click", () => {
    const picked = new Set([0, 1, 2].map(
      () => Math.floor(Math.random() * state.styles.length)));
    setWeights(state.styles.map(
      (_, i) => (picked.has(i) ? Math.round(Math.random() * 100) / 100 : 0)));
  });
  bindDropZone("drop-zone", usePhoto);
  bindMask();
  bindAddPainting(info.training);
  setStatus(`${state.styles.length} styles of ${info.model}. ` +
            "Drop a photo, choose one, or use the webcam.");
}

start();
