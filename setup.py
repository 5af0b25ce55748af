"""Packaging for multistyle: one network, many painting styles."""

import setuptools

_CONSOLE_SCRIPTS = [
    "multistyle-train=multistyle.cli.train:run",
    "multistyle-export=multistyle.cli.export:run",
    "multistyle-optimize=multistyle.cli.optimize:run",
    "multistyle-evaluate=multistyle.cli.evaluate:run",
    "multistyle-stylize=multistyle.cli.stylize:run",
    "multistyle-grid=multistyle.cli.grid:run",
    "multistyle-styles=multistyle.cli.styles:run",
    "multistyle-video=multistyle.cli.video:run",
]

setuptools.setup(
    name="multistyle",
    version="0.1.0",
    description=(
        "Train one real-time style-transfer network on many painting "
        "styles (conditional instance normalization) and blend them."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["multistyle", "multistyle.*"]),
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
    ],
    extras_require={
        "jax": ["jax"],
        # ai-edge-litert: the TFLite interpreter, for the export tests.
        "test": ["pytest", "ai-edge-litert"],
    },
    entry_points={"console_scripts": _CONSOLE_SCRIPTS},
)
