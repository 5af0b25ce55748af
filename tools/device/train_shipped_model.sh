#!/usr/bin/env bash
# Trains the shipped 16-style model on a lent GPU machine (JAX, no
# TensorFlow). Needs .carry/ from tools/device/prepare_carry.py, carried:
#   run(command="bash tools/device/train_shipped_model.sh 20000",
#       carry=[".carry"], timeout_s=600)
# Writes model.keras, styles.json, the training log and a sample grid to
# $OUT. Arguments: training steps (multiple of --steps_per_checkpoint;
# default 20000), then extra training flags (a CPU smoke test of this
# script: ... 4 --image_size=32 --batch_size=2 --steps_per_checkpoint=2).
set -euo pipefail
steps="${1:-20000}"
shift || true
source tools/device/env.sh
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader \
  | tee "${out}/gpu.txt" || true

# The styles of the config, in its order (style i = row i of the tables).
export STYLES=$(grep '^--styles=' configs/multistyle16.cfg \
  | sed 's|^--styles=||; s|[^,]*/|.carry/styles/|g')
timeout 540 "${py}" -m multistyle.cli.train \
  --flagfile=configs/multistyle16.cfg \
  --content=.carry/photos --styles="${STYLES}" \
  --vgg_weights=.carry/vgg19.bin --model_dir=/tmp/run \
  --num_steps="${steps}" --mixed_precision --workers=12 "$@" \
  2>&1 | tr '\r' '\n' | grep -v '━' | tee "${out}/train.log" || true

# A run cut short by the timeout still has its newest checkpoint: export it.
"${py}" - <<'PY'
import os
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import transformer_net
from multistyle.training import checkpoint
import keras
out = os.environ.get("OUT", "/tmp/out")
if not os.path.exists("/tmp/run/model.keras"):
    latest = checkpoint.latest("/tmp/run")
    styles = style_set.styles_from_files(os.environ["STYLES"].split(","))
    net = transformer_net.build_transformer_net(len(styles))
    optimizer = keras.optimizers.Adam()
    optimizer.build(net.trainable_variables)
    step = checkpoint.restore(latest, net, optimizer)
    folder_io.write("/tmp/run", net, styles, {"alpha": 1.0, "steps": step})
PY
cp /tmp/run/model.keras /tmp/run/styles.json /tmp/run/train_config.json "${out}/"
cp /tmp/run/logs/events.out.tfevents.* "${out}/" 2>/dev/null || true
ls -la "${out}"
