// Flicker reduction for the live webcam preview: the coherence of
// multistyle-video's --temporal_smoothing (multistyle/video/
// flow_guided_smoother.py), in the browser, on each painted frame the
// server returns.
//
// Every webcam frame is painted on its own, so the painted texture
// changes wherever the picture changes a little: the preview flickers.
// Here the previous *shown* frame is moved along the motion between the
// previous and the new *webcam* frame and blended into the new painting
// where that motion is reliable:
//
//   shown_t = painted_t + keep * (warp(shown_{t-1}) - painted_t)
//
// keep = strength where the warp can be trusted, 0 elsewhere. The motion
// is a dense optical flow from coarse-to-fine block matching on the
// luminance (OpenCV's DIS, which the Python side uses, is not in the
// browser); it is trusted where the flow back and forth cancel, where the
// warped previous webcam frame matches the new one, and away from both
// (a margin of a few pixels); a frame that is mostly untrusted (a cut, the
// camera knocked) is shown as painted and starts afresh, and so is the
// first frame after the style or the mask changes.
//
// Frames are {data: RGBA Uint8ClampedArray, width, height}, as ImageData.
// Node can load this file too (module.exports), which the tests do.
"use strict";

const WebcamCoherence = (() => {
  const BLOCK = 8;             // Block side in pixels, at every level.
  const LEVELS = 3;            // Pyramid levels: 1, 1/2 and 1/4 size.
  const COARSE_SEARCH = 4;     // +-pixels searched at the coarsest level,
  const FINE_SEARCH = 2;       // and around the coarser guess below it.
  const CONSISTENCY_PX = 1.5;  // |back + forth| allowed, in pixels.
  const MATCH_LEVELS = 25;     // Luma mismatch where blending stops
  //                              (0.1 of the range, as in Python).
  const MARGIN = 2;            // Pixels the untrusted region grows by.
  const CUT_TRUSTED_SHARE = 0.25;
  const CUT_MISMATCH = 51;     // Mean luma mismatch of a cut (0.2).

  function luma(frame) {
    const { data, width, height } = frame;
    const plane = new Float32Array(width * height);
    for (let i = 0, j = 0; i < plane.length; i++, j += 4) {
      plane[i] = 0.299 * data[j] + 0.587 * data[j + 1] + 0.114 * data[j + 2];
    }
    return { plane, width, height };
  }

  function halved({ plane, width, height }) {
    const w = Math.max(1, width >> 1);
    const h = Math.max(1, height >> 1);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const y0 = Math.min(2 * y, height - 1);
      const y1 = Math.min(2 * y + 1, height - 1);
      for (let x = 0; x < w; x++) {
        const x0 = Math.min(2 * x, width - 1);
        const x1 = Math.min(2 * x + 1, width - 1);
        out[y * w + x] = 0.25 * (plane[y0 * width + x0] +
          plane[y0 * width + x1] + plane[y1 * width + x0] +
          plane[y1 * width + x1]);
      }
    }
    return { plane: out, width: w, height: h };
  }

  function pyramid(level) {
    const levels = [level];
    for (let i = 1; i < LEVELS; i++) levels.push(halved(levels[i - 1]));
    return levels;
  }

  const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

  // Sum of |a - b| over the block at (x0, y0) of `a`, against `b` moved
  // by (dx, dy) (edges replicated); stops once above `limit`.
  function blockCost(a, b, x0, y0, dx, dy, limit) {
    const { width, height } = a;
    const x1 = Math.min(x0 + BLOCK, width);
    const y1 = Math.min(y0 + BLOCK, height);
    const inside = x0 + dx >= 0 && x1 + dx <= width && y0 + dy >= 0 &&
                   y1 + dy <= height;
    let cost = 0;
    for (let y = y0; y < y1 && cost < limit; y++) {
      const ay = y * width;
      if (inside) {
        const by = (y + dy) * width + dx;
        for (let x = x0; x < x1; x++) {
          cost += Math.abs(a.plane[ay + x] - b.plane[by + x]);
        }
      } else {
        const by = clamp(y + dy, 0, height - 1) * width;
        for (let x = x0; x < x1; x++) {
          cost += Math.abs(a.plane[ay + x] -
                           b.plane[by + clamp(x + dx, 0, width - 1)]);
        }
      }
    }
    return cost;
  }

  // Offsets within +-radius, nearest first (flat [dx, dy, ...]).
  function searchOffsets(radius) {
    const offsets = [];
    for (let j = -radius; j <= radius; j++) {
      for (let i = -radius; i <= radius; i++) offsets.push([i, j]);
    }
    offsets.sort((p, q) => (Math.abs(p[0]) + Math.abs(p[1])) -
                           (Math.abs(q[0]) + Math.abs(q[1])));
    return Int32Array.from(offsets.flat());
  }

  // Per-block vectors (dx, dy): where each block of `a` is found in `b`.
  // `guess(bx, by)` seeds the search, +-`radius` around it; ties keep the
  // candidate nearest the guess, so flat regions do not wander.
  function matchBlocks(a, b, guess, radius) {
    const cols = Math.ceil(a.width / BLOCK);
    const rows = Math.ceil(a.height / BLOCK);
    const vectors = new Float32Array(cols * rows * 2);
    const offsets = searchOffsets(radius);
    for (let by = 0; by < rows; by++) {
      for (let bx = 0; bx < cols; bx++) {
        const [gx, gy] = guess(bx, by);
        let best = Infinity;
        let bestX = gx;
        let bestY = gy;
        for (let k = 0; k < offsets.length; k += 2) {
          const cost = blockCost(a, b, bx * BLOCK, by * BLOCK,
                                 gx + offsets[k], gy + offsets[k + 1], best);
          if (cost < best) {
            best = cost;
            bestX = gx + offsets[k];
            bestY = gy + offsets[k + 1];
          }
        }
        vectors[2 * (by * cols + bx)] = bestX;
        vectors[2 * (by * cols + bx) + 1] = bestY;
      }
    }
    return { vectors, cols, rows };
  }

  // Dense flow (2 numbers per pixel, whole pixels) of pyramid `a` into
  // pyramid `b`: block vectors, coarse to fine; then each pixel takes the
  // vector of its own or a neighbouring block that best matches its 3x3
  // neighbourhood, so motion boundaries stay sharp (an interpolated field
  // would drag a moving thing's motion over the background beside it).
  function flow(a, b) {
    let blocks = null;
    for (let level = LEVELS - 1; level >= 0; level--) {
      const coarser = blocks;
      const guess = coarser === null ? () => [0, 0] : (bx, by) => {
        const cx = Math.min(bx >> 1, coarser.cols - 1);
        const cy = Math.min(by >> 1, coarser.rows - 1);
        const k = 2 * (cy * coarser.cols + cx);
        return [2 * coarser.vectors[k], 2 * coarser.vectors[k + 1]];
      };
      blocks = matchBlocks(a[level], b[level], guess,
                           coarser === null ? COARSE_SEARCH : FINE_SEARCH);
    }
    return dense(a[0], b[0], blocks);
  }

  // The candidate vectors of each block: its own first, then those of its
  // eight neighbours that differ (flat Int32Array per block).
  function blockCandidates({ vectors, cols, rows }) {
    const lists = [];
    for (let by = 0; by < rows; by++) {
      for (let bx = 0; bx < cols; bx++) {
        const list = [vectors[2 * (by * cols + bx)],
                      vectors[2 * (by * cols + bx) + 1]];
        for (let j = Math.max(0, by - 1); j <= Math.min(rows - 1, by + 1);
          j++) {
          for (let i = Math.max(0, bx - 1); i <= Math.min(cols - 1, bx + 1);
            i++) {
            const dx = vectors[2 * (j * cols + i)];
            const dy = vectors[2 * (j * cols + i) + 1];
            let seen = false;
            for (let k = 0; k < list.length && !seen; k += 2) {
              seen = list[k] === dx && list[k + 1] === dy;
            }
            if (!seen) list.push(dx, dy);
          }
        }
        lists.push(Int32Array.from(list));
      }
    }
    return lists;
  }

  function dense(a, b, blocks) {
    const { width, height, plane } = a;
    const other = b.plane;
    const lists = blockCandidates(blocks);
    const out = new Float32Array(width * height * 2);
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / BLOCK) * blocks.cols;
      for (let x = 0; x < width; x++) {
        const list = lists[row + Math.floor(x / BLOCK)];
        let bestX = list[0];
        let bestY = list[1];
        if (list.length > 2) {
          let best = Infinity;
          for (let k = 0; k < list.length; k += 2) {
            const dx = list[k];
            const dy = list[k + 1];
            let cost = 0;
            for (let v = -1; v <= 1; v++) {
              const ya = clamp(y + v, 0, height - 1) * width;
              const yb = clamp(y + v + dy, 0, height - 1) * width;
              for (let u = -1; u <= 1; u++) {
                cost += Math.abs(plane[ya + clamp(x + u, 0, width - 1)] -
                                 other[yb + clamp(x + u + dx, 0, width - 1)]);
              }
            }
            if (cost < best) {  // Ties keep the earlier: the own block's.
              best = cost;
              bestX = dx;
              bestY = dy;
            }
          }
        }
        out[2 * (y * width + x)] = bestX;
        out[2 * (y * width + x) + 1] = bestY;
      }
    }
    return out;
  }

  // Shrinks the nonzero region of a 0/1 mask by `radius` pixels.
  function eroded(mask, width, height, radius) {
    const pass = (input, step, count, stride, lines) => {
      const out = new Uint8Array(input.length);
      for (let line = 0; line < lines; line++) {
        for (let i = 0; i < count; i++) {
          let keep = 1;
          for (let k = Math.max(0, i - radius);
            k <= Math.min(count - 1, i + radius) && keep; k++) {
            keep = input[line * stride + k * step];
          }
          out[line * stride + i * step] = keep;
        }
      }
      return out;
    };
    const rowsDone = pass(mask, 1, width, width, height);
    const out = new Uint8Array(mask.length);
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        let keep = 1;
        for (let k = Math.max(0, y - radius);
          k <= Math.min(height - 1, y + radius) && keep; k++) {
          keep = rowsDone[k * width + x];
        }
        out[y * width + x] = keep;
      }
    }
    return out;
  }

  class Coherence {
    // strength: at most this share of the moved previous frame is kept,
    // 0 (off) to below 1.
    constructor(strength = 0.8) {
      if (!(strength >= 0 && strength < 1)) {
        throw new RangeError(`strength must be in [0, 1); got ${strength}`);
      }
      this.strength = strength;
      this.blended = 0;  // Frames blended with the previous one,
      this.cuts = 0;     // and frames shown as painted at a cut.
      this.reset();
    }

    reset() {
      this.previous = null;
    }

    // The frame to show for webcam frame `source` painted as `painted`
    // (same size); `key` names the painting options: when it changes,
    // the new style shows at once. Returns an RGBA Uint8ClampedArray.
    apply(source, painted, key = "") {
      const { width, height } = painted;
      const sourceLuma = pyramid(luma(source));
      const previous = this.previous;
      let shown = null;
      if (previous && this.strength > 0 && previous.key === key &&
          previous.width === width && previous.height === height &&
          source.width === width && source.height === height) {
        shown = this.blend(previous, sourceLuma, painted);
        if (shown === null) this.cuts += 1;
        else this.blended += 1;
      }
      if (shown === null) shown = new Uint8ClampedArray(painted.data);
      this.previous = { luma: sourceLuma, shown, width, height, key };
      return shown;
    }

    // Null at a cut. The flow is in whole pixels, so the previous frame
    // moves without resampling: no blur builds up, frame after frame.
    blend(previous, sourceLuma, painted) {
      const { width, height } = painted;
      const back = flow(sourceLuma, previous.luma);
      const forth = flow(previous.luma, sourceLuma);
      const current = sourceLuma[0].plane;
      const before = previous.luma[0].plane;
      const from = new Int32Array(width * height);  // -1: outside.
      const keep = new Float32Array(width * height);
      const trusted = new Uint8Array(width * height);
      let trustedCount = 0;
      let mismatchSum = 0;
      for (let y = 0, i = 0; y < height; y++) {
        for (let x = 0; x < width; x++, i++) {
          const px = x + back[2 * i];
          const py = y + back[2 * i + 1];
          if (px < 0 || px >= width || py < 0 || py >= height) {
            from[i] = -1;
            mismatchSum += MATCH_LEVELS;
            continue;
          }
          const j = py * width + px;
          from[i] = j;
          const roundTrip = Math.hypot(back[2 * i] + forth[2 * j],
                                       back[2 * i + 1] + forth[2 * j + 1]);
          const mismatch = Math.abs(current[i] - before[j]);
          mismatchSum += mismatch;
          trusted[i] = roundTrip <= CONSISTENCY_PX ? 1 : 0;
          trustedCount += trusted[i];
          keep[i] = clamp(2 * (1 - mismatch / MATCH_LEVELS), 0, 1);
        }
      }
      if (trustedCount < CUT_TRUSTED_SHARE * width * height ||
          mismatchSum / (width * height) > CUT_MISMATCH) {
        return null;
      }
      const safe = eroded(trusted, width, height, MARGIN);
      const shown = new Uint8ClampedArray(painted.data);
      const old = previous.shown;
      for (let i = 0; i < width * height; i++) {
        const k = this.strength * keep[i] * safe[i];
        if (k === 0) continue;
        const j = 4 * i;
        const m = 4 * from[i];
        shown[j] = painted.data[j] + k * (old[m] - painted.data[j]);
        shown[j + 1] = painted.data[j + 1] +
                       k * (old[m + 1] - painted.data[j + 1]);
        shown[j + 2] = painted.data[j + 2] +
                       k * (old[m + 2] - painted.data[j + 2]);
      }
      return shown;
    }
  }

  return { Coherence, flow, pyramid, luma };
})();

if (typeof module !== "undefined") module.exports = WebcamCoherence;
