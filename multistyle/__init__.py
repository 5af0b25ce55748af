"""multistyle: one real-time style transfer network, many painting styles.

The public API, imported on first use (so `import multistyle.inference`
stays free of training code):

- `Stylizer`: paints photos with a model folder, or with a model that
  ships with multistyle: `Stylizer.from_preset("multistyle16")`
  (`inference.stylizer`, `model_folder.presets`);
- `sample_photo`: the path of the sample photo that ships with it;
- `load_network`: a model folder's network as a plain function;
- `stylize_video`: paints a video file (`video.video_stylizer`);
- `train`, `add_styles`, `distill` and their configs `TrainConfig`,
  `AddStylesConfig`, `DistillConfig`: a training run on paintings, new
  styles learned on top of a trained model, a trained model distilled
  into a smaller network (`training`);
- `edit_model_folder`: removes and renames styles
  (`model_folder.style_editing`);
- `export_saved_model`: writes a TensorFlow SavedModel
  (`export.saved_model`);
- `build_transformer_net`: the network itself (`network.transformer_net`).

Example:

>>> import multistyle
>>> stylizer = multistyle.Stylizer.from_preset("multistyle16")
>>> stylizer.stylize("photo.jpg", stylizer.weights(style="great_wave"))
"""

import importlib

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "Stylizer": "multistyle.inference.stylizer",
    "sample_photo": "multistyle.model_folder.presets",
    "load_network": "multistyle.inference.networks",
    "stylize_video": "multistyle.video.video_stylizer",
    "TrainConfig": "multistyle.training",
    "train": "multistyle.training",
    "AddStylesConfig": "multistyle.training",
    "add_styles": "multistyle.training",
    "DistillConfig": "multistyle.training",
    "distill": "multistyle.training",
    "edit_model_folder": "multistyle.model_folder.style_editing",
    "export_saved_model": "multistyle.export.saved_model",
    "build_transformer_net": "multistyle.network.transformer_net",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(
            f"module 'multistyle' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # Later look-ups skip __getattr__.
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
