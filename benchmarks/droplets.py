"""Where the white blobs come from: extreme normalized activations, by layer.

A conditional instance norm divides each channel by its spread over the
image, so a few locations far out in a channel ("droplets") steer that
channel's statistics. This script paints the evaluation's brightest
held-out photos in every style and, for each conditional norm's input (the
conv output it normalizes), reports the largest |normalized activation| over the
channels at each pixel: its median over the image, its mean over the pixels
the network paints near-white (the blobs), and its largest value. Blob
pixels far above the median mean the blob is made inside the network.

    KERAS_BACKEND=tensorflow python benchmarks/droplets.py \\
        --model=saved_models/multistyle16 \\
        --photos=../shared/data/content_train/bsds500

Prints a Markdown table (means over the photo/style pairs that have blobs).
"""

from absl import app
from absl import flags
import keras
import numpy as np

from multistyle.evaluation import evaluate
from multistyle.loss import losses
from multistyle.model_folder import folder_io
from multistyle.network import transformer_net

_MODEL = flags.DEFINE_string("model", "saved_models/multistyle16",
                             "Model folder or training run.")
_PHOTOS = flags.DEFINE_string("photos", None, "Folder of photos.")
_HOLDOUT_EVERY = flags.DEFINE_integer(
    "holdout_every", 10, "Every Nth photo is held out, as in training.")
_NUM_PHOTOS = flags.DEFINE_integer(
    "num_photos", 3, "Photos to paint, the brightest held-out one first.")
_IMAGE_SIZE = flags.DEFINE_integer("image_size", 512,
                                   "Photos' long side, pixels.")
_MIN_BLOB_PIXELS = flags.DEFINE_integer(
    "min_blob_pixels", 20, "Pairs with fewer new near-white pixels are "
    "left out of the blob column.")


def _channel_max_abs_normalized(x):
    """Per pixel of a 1HWC map, the largest |normalized activation| over
    channels (HW, numpy)."""
    normalized = losses.instance_normalized(x)
    return np.abs(keras.ops.convert_to_numpy(normalized)[0]).max(-1)


def _at_resolution(mask, shape):
    """`mask` (HW) sampled at the nearest pixels of a (h, w) map."""
    rows = np.arange(shape[0]) * mask.shape[0] // shape[0]
    cols = np.arange(shape[1]) * mask.shape[1] // shape[1]
    return mask[rows][:, cols]


def _photos():
    held_out = evaluate.held_out_photo_files(_PHOTOS.value,
                                             _HOLDOUT_EVERY.value)
    photos = evaluate.load_photos(held_out, _IMAGE_SIZE.value)
    return [photos[i] for i in evaluate.brightest_first(photos,
                                                        _NUM_PHOTOS.value)]


def main(argv):
    del argv
    net, styles, _ = folder_io.read(_MODEL.value)
    norms = transformer_net.conditional_norm_layers(net)
    probe = transformer_net.norm_probe_model(net)
    stats = {layer.name: {"median": [], "blob": [], "max": []}
             for layer in norms}
    pairs = blob_pairs = 0
    for photo in _photos():
        for i in range(len(styles)):
            weights = np.eye(len(styles), dtype=np.float32)[[i]]
            painted, *maps = probe([photo[None], weights])
            blobs = evaluate.new_white_mask(
                photo, keras.ops.convert_to_numpy(painted)[0])
            has_blobs = blobs.sum() >= _MIN_BLOB_PIXELS.value
            pairs += 1
            blob_pairs += has_blobs
            for layer, activations in zip(norms, maps):
                extreme = _channel_max_abs_normalized(activations)
                layer_stats = stats[layer.name]
                layer_stats["median"].append(np.median(extreme))
                layer_stats["max"].append(extreme.max())
                if has_blobs:
                    layer_stats["blob"].append(
                        extreme[_at_resolution(blobs, extreme.shape)].mean())
    print(f"{_MODEL.value}: {pairs} photo/style pairs, {blob_pairs} with "
          f"blobs (>= {_MIN_BLOB_PIXELS.value} new near-white pixels)\n")
    print("| norm | median | at blob pixels | blob / median | largest |")
    print("|---|---:|---:|---:|---:|")
    for layer in norms:
        s = {k: float(np.mean(v)) if v else float("nan")
             for k, v in stats[layer.name].items()}
        print(f"| {layer.name} | {s['median']:.1f} | {s['blob']:.1f} | "
              f"{s['blob'] / s['median']:.1f} | {s['max']:.1f} |")


if __name__ == "__main__":
    flags.mark_flags_as_required(["photos"])
    app.run(main)
