"""Switches a trained network's norms to fixed statistics, keeping its look.

A conditional norm with `"fixed"` statistics measures nothing: it is the
per-style affine map `x * gamma + beta` (see `ConditionalInstanceNorm`). A
network trained with measured (instance) statistics can start from its
own weights if every such norm gets the statistics it used to measure,
averaged over photos, folded into its tables, per style `s`:

    gamma'[s] = gamma[s] / sqrt(var[s] + eps)
    beta'[s]  = beta[s] - gamma[s] * mean[s] / sqrt(var[s] + eps)

where `mean[s]` and `var[s]` are the per-photo moments of the norm's input
averaged over the photos, painting style `s`. A typical photo is then
painted as before; what changes is that no pixel can steer the scale of
the others (the droplet mechanism; Karras et al. 2020, section 2).
Norms are folded in order, each measured on a network whose earlier norms
are already folded, so each sees the inputs it will see.
"""

import numpy as np
from keras import ops

from multistyle.network import transformer_net


def fold_fixed_statistics(net, trained, photos):
    """Folds `trained`'s measured statistics into `net`'s fixed norms.

    Args:
        net: A network holding `trained`'s weights, built with another
            `normalization` whose norms use `"fixed"` statistics where
            `trained`'s measure them. Its tables are changed in place.
        trained: The network the weights came from.
        photos: Float32 RGB photos in [0, 1], NHWC, to measure on (a few
            training crops).

    Returns:
        The names of the folded norms.

    Raises:
        ValueError: If a norm of `trained` with fixed statistics would
            measure them in `net` (that cannot be unfolded).
    """
    new_norms = transformer_net.conditional_norm_layers(net)
    old_norms = transformer_net.conditional_norm_layers(trained)
    unfoldable = [new.name for new, old in zip(new_norms, old_norms)
                  if old.statistics == "fixed" != new.statistics]
    if unfoldable:
        raise ValueError(
            f"Cannot start measuring statistics in norms {unfoldable}, "
            "which the trained network has fixed; keep its normalization "
            f"({transformer_net.normalization_of(trained)!r}).")
    to_fold = [i for i, (new, old) in enumerate(zip(new_norms, old_norms))
               if new.statistics == "fixed" != old.statistics]
    if not to_fold:
        return []
    probe = transformer_net.norm_probe_model(net)
    num_styles = transformer_net.num_styles_of(net)
    photos = np.asarray(photos, np.float32)
    for i in to_fold:
        new, old = new_norms[i], old_norms[i]
        gamma = ops.convert_to_numpy(new.gamma).copy()
        beta = ops.convert_to_numpy(new.beta).copy()
        for style in range(num_styles):
            weights = np.zeros((len(photos), num_styles), np.float32)
            weights[:, style] = 1.0
            inputs = ops.cast(probe([photos, weights])[1 + i], "float32")
            # The moments the norm measured, as the trained norm does.
            mean, variance = old.moments(inputs)
            mean = ops.convert_to_numpy(ops.mean(mean, axis=[0, 1, 2]))
            variance = ops.convert_to_numpy(
                ops.mean(variance, axis=[0, 1, 2]))
            scale = 1.0 / np.sqrt(variance + old.epsilon)
            beta[style] = beta[style] - gamma[style] * mean * scale
            gamma[style] = gamma[style] * scale
        new.gamma.assign(gamma)
        new.beta.assign(beta)
    return [new_norms[i].name for i in to_fold]
