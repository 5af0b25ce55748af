# Sourced by the tools/device scripts: sets out= and py=, installs the
# carried keras/namex/optree wheels, and selects the JAX backend.
# PYTHON and SKIP_WHEELS=1 let a CPU smoke test use a local venv instead.
out="${OUT:-/tmp/out}"
mkdir -p "${out}"
py="${PYTHON:-python3}"
if [[ -z "${SKIP_WHEELS:-}" ]]; then
  "${py}" -m pip install -q --no-index --no-deps --no-compile \
    --no-cache-dir --upgrade --target /tmp/site .carry/whl/*.whl
fi
export PYTHONPATH="/tmp/site:${PWD}" KERAS_BACKEND=jax PYTHONUNBUFFERED=1
