// The style-mask mode of the page (app.js): a canvas over the preview
// where the user brushes; white (brushed) paints one style, black the
// other. Loaded before app.js, whose `state`, `$` and `requestPreview`
// these functions use when called.
"use strict";

// The style mask: the brushed canvas, white on black, as a PNG Blob.
function maskBlob() {
  const canvas = $("mask-canvas");
  const flat = document.createElement("canvas");
  flat.width = canvas.width;
  flat.height = canvas.height;
  const context = flat.getContext("2d");
  context.fillStyle = "#000";
  context.fillRect(0, 0, flat.width, flat.height);
  context.drawImage(canvas, 0, 0);
  return new Promise((resolve) => flat.toBlob(resolve, "image/png"));
}

// An empty mask of the preview's size (the server resizes it for the
// full-size painting).
function resetMask({ width, height }) {
  const canvas = $("mask-canvas");
  canvas.width = width;
  canvas.height = height;
  state.maskStrokes += 1;
}

// One dab of the brush at a pointer event, joined to the last one.
function brushAt(event) {
  const canvas = $("mask-canvas");
  const rect = canvas.getBoundingClientRect();
  const scale = canvas.width / rect.width;
  const x = (event.clientX - rect.left) * scale;
  const y = (event.clientY - rect.top) * scale;
  const context = canvas.getContext("2d");
  context.strokeStyle = "#fff";
  context.lineCap = "round";
  context.lineWidth = Number($("brush-size").value) * scale;
  const [fromX, fromY] = state.lastBrush || [x, y];
  context.beginPath();
  context.moveTo(fromX, fromY);
  context.lineTo(x, y);
  context.stroke();
  state.lastBrush = [x, y];
  state.maskStrokes += 1;
  requestPreview();
}

function bindMask() {
  const canvas = $("mask-canvas");
  const names = state.styles.map((style) => style.name);
  for (const [id, selected] of [["mask-brush-style", 1],
                                ["mask-other-style", 0]]) {
    const select = $(id);
    select.append(...names.map((name) => new Option(
      name.replaceAll("_", " "), name)));
    select.value = names[Math.min(selected, names.length - 1)];
    select.addEventListener("change", requestPreview);
  }
  $("mask-mode").addEventListener("change", (event) => {
    state.maskMode = event.target.checked;
    $("mask-controls").disabled = !state.maskMode;
    canvas.hidden = !state.maskMode;
    requestPreview();
  });
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    state.lastBrush = null;
    brushAt(event);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (event.buttons & 1) brushAt(event);
  });
  canvas.addEventListener("pointerup", () => { state.lastBrush = null; });
  $("brush-size").addEventListener("input", (event) => {
    $("brush-size-value").textContent = event.target.value;
  });
  $("mask-clear").addEventListener("click", () => {
    resetMask(canvas);
    requestPreview();
  });
}
