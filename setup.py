"""Packaging for multistyle: one network, many painting styles."""

import re

import setuptools

# The version lives once, in multistyle/__init__.py (what --version prints);
# read as text, so packaging imports nothing of the package.
with open("multistyle/__init__.py", encoding="utf-8") as _init:
    _VERSION = re.search(r'^__version__ = "([^"]+)"', _init.read(),
                         re.MULTILINE).group(1)

_CONSOLE_SCRIPTS = [
    "multistyle-train=multistyle.cli.train:run",
    "multistyle-export=multistyle.cli.export:run",
    "multistyle-optimize=multistyle.cli.optimize:run",
    "multistyle-evaluate=multistyle.cli.evaluate:run",
    "multistyle-stylize=multistyle.cli.stylize:run",
    "multistyle-grid=multistyle.cli.grid:run",
    "multistyle-styles=multistyle.cli.styles:run",
    "multistyle-video=multistyle.cli.video:run",
    "multistyle-serve=multistyle.cli.serve:run",
]
# multistyle-serve's HTTP stack (the "serve" extra): Starlette routes on
# uvicorn; python-multipart parses form uploads.
_SERVE = ["starlette", "uvicorn", "python-multipart"]
# multistyle-export --onnx (the "onnx" extra): tf2onnx converts the
# SavedModel's signatures (Keras' own ONNX export uses it as well) and
# installs onnx; onnxruntime runs the result.
_ONNX = ["tf2onnx", "onnxruntime"]

setuptools.setup(
    name="multistyle",
    version=_VERSION,
    description=(
        "Train one real-time style-transfer network on many painting "
        "styles (conditional instance normalization) and blend them."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["multistyle", "multistyle.*"]),
    # The page multistyle-serve serves (HTML, CSS, JS; no build step).
    package_data={"multistyle.serving": ["static/*"]},
    install_requires=[
        # TensorFlow is Keras' default backend, and it alone exports the
        # SavedModel; JAX is optional (the "jax" extra).
        "tensorflow>=2.18",
        "tensorflow-datasets",
        "keras>=3.10",
        "numpy",
        "absl-py",
        "pillow",
        # Writes TensorBoard event files on every backend, JAX included.
        "tensorboard",
        # Video I/O (multistyle-video): imageio-ffmpeg's wheels bundle an
        # ffmpeg binary, which also muxes the source's audio back in. (Used
        # directly; imageio itself is not needed.)
        "imageio-ffmpeg",
        # LiteRT, the TFLite interpreter: multistyle-stylize and -grid run a
        # model folder's model_float16.tflite with it by default, because it
        # imports in ~0.1 s where TensorFlow takes ~4 s (README's main
        # command: 7.3 -> 0.9 CPU seconds, BENCHMARKS.md "Start-up").
        # Without it they fall back to Keras or the SavedModel.
        "ai-edge-litert",
    ],
    extras_require={
        "jax": ["jax"],
        "serve": _SERVE,
        "onnx": _ONNX,
        # examples/beam_stylize.py: Beam's RunInference over the SavedModel
        # (its TensorFlow handler imports tensorflow-hub). Not in "test":
        # Beam 2.77 pins protobuf<7 and pillow<13, older than the rest.
        "beam": ["apache-beam", "tensorflow-hub"],
        # httpx2: Starlette's TestClient and the page test's HTTP client;
        # selenium drives Debian's chromium (apt, see .ci/run) in the
        # browser test of the page. The ONNX export and the shipped
        # model.onnx files are tested too.
        "test": ["pytest", *_SERVE, "httpx2", "selenium", *_ONNX],
    },
    entry_points={"console_scripts": _CONSOLE_SCRIPTS},
)
