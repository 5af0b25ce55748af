#!/usr/bin/env bash
# GPU benchmarks for BENCHMARKS.md (JAX backend, no TensorFlow), run on a
# lent machine with .carry/ from tools/device/prepare_carry.py:
#   run(command="bash tools/device/gpu_benchmarks.sh", carry=[".carry"])
# Appends Markdown tables to $OUT/gpu_benchmarks.md.
set -uo pipefail
source tools/device/env.sh
report="${out}/gpu_benchmarks.md"
nvidia-smi --query-gpu=name --format=csv,noheader >> "${report}" || true
timeout 200 "${py}" benchmarks/training_throughput.py \
  --photos=.carry/photos --vgg_weights=.carry/vgg19.bin \
  --batch_sizes="${BATCH_SIZES:-16,64}" --workers=12 \
  --steps_per_execution="${STEPS_PER_EXECUTION:-1,4}" \
  --steps="${STEPS:-30}" "$@" 2>&1 | grep -E '^\||^machine|Error' \
  | tee -a "${report}"
timeout 120 "${py}" benchmarks/inference_latency.py --peer=false \
  --repeats=20 2>&1 | grep -E '^\||^machine|Error' | tee -a "${report}"
timeout 90 "${py}" benchmarks/new_image_size.py 2>&1 \
  | grep -E '^\||^backend|Error' | tee -a "${report}"
