"""Starts a training run from a trained model's whole network.

A warm start copies every weight of a model folder's `model.keras` (all
convolutions and every style's gamma/beta rows) into a freshly built
network, which then trains with all weights trainable and a fresh
optimizer. One long training can so span several runs, days and
machines, and a user can fine-tune a model on their own photos. The model
must paint the same styles, in the same order, at the same width.
"""

from multistyle import errors
from multistyle.model_folder import folder_io
from multistyle.model_folder import style_set
from multistyle.network import statistics_folding
from multistyle.network import transformer_net


def _style_differences(model_names, run_names):
    """A sentence naming how two ordered style lists differ, or ''."""
    if model_names == run_names:
        return ""
    missing = [n for n in model_names if n not in run_names]
    extra = [n for n in run_names if n not in model_names]
    if missing or extra:
        return (f"the model has styles the run lacks: {missing}; the run "
                f"has styles the model lacks: {extra}.")
    return (f"the order differs: the model paints {model_names}, the run "
            f"trains {run_names}.")


def read_matching_network(model_dir, styles):
    """The Keras network of a model folder that paints `styles` in order.

    Args:
        model_dir: A model folder (`model.keras` and `styles.json`).
        styles: The run's `style_set.Style` list, in training order.

    Raises:
        FileNotFoundError: If the folder lacks one of the two files.
        ValueError: If the styles (names or order) differ, or
            `model.keras` cannot be read.
    """
    model_styles, _ = folder_io.read_styles(model_dir)
    difference = _style_differences(style_set.names(model_styles),
                                    style_set.names(styles))
    if difference:
        raise ValueError(
            f"Cannot warm start from {model_dir}: {difference} Train the "
            "model's styles, in its order (see its styles.json).")
    network, _, _ = folder_io.read(model_dir)
    return network


def load_initial_weights(transformer, model_dir, styles, photos=None):
    """Copies a model folder's network weights into `transformer`.

    Where `transformer`'s norms use fixed statistics and the model's
    measure them, the measured statistics are folded into gamma/beta
    (`statistics_folding`), so the network starts painting as the model.

    Args:
        transformer: A built network with as many styles as `styles`.
        model_dir: A model folder (`model.keras` and `styles.json`).
        styles: The run's `style_set.Style` list, in training order.
        photos: A function returning float32 photos in [0, 1], NHWC, to
            fold statistics on; called only when there are any to fold.

    Returns:
        The names of the norms whose statistics were folded.

    Raises:
        FileNotFoundError: If the folder lacks one of the two files.
        ValueError: If the styles (names or order) or the network width
            differ, or `model.keras` cannot be read.
    """
    trained = read_matching_network(model_dir, styles)
    shapes = [tuple(w.shape) for w in trained.weights]
    if shapes != [tuple(w.shape) for w in transformer.weights]:
        raise errors.ArgumentError(
            f"Cannot warm start from {model_dir}: its network has another "
            "width or layout than this run's; pass the {alpha} it was "
            "trained with (see its styles.json).", ("alpha",))
    transformer.set_weights(trained.get_weights())
    if transformer_net.normalization_of(transformer) == \
            transformer_net.normalization_of(trained):
        return []
    if photos is None:
        raise ValueError(
            f"Cannot warm start from {model_dir} with another "
            "normalization without photos to fold its statistics on.")
    return statistics_folding.fold_fixed_statistics(transformer, trained,
                                                    photos())
