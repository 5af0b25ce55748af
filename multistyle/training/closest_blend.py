"""The blend of a network's styles that paints closest to a painting.

A new style learns faster from rows that already paint like its painting
than from the mean of the learned styles' rows. The rows of a blend of
styles are the blend of their rows (the network blends them in-graph), so
the first guess is the blend whose painting has the Gram statistics
closest to the painting's: one photo is painted in every learned style,
and the nonnegative, sum-to-one weights that bring the mix of those
paintings' Gram matrices nearest the painting's (relative squared error
per style layer, as the style loss measures) are found by projected
gradient descent on the simplex. The Gram matrix of a blended painting
is not the blend of the Gram matrices, so this is a guess in seconds, not
the optimum; training starts from it.

Example:

>>> weights = closest_blend(net, photo, vgg.extractor(layers), grams)
>>> rows = style_tables.blended_style_rows(net, weights)
"""

import numpy as np

from multistyle.loss import losses
from multistyle.network import transformer_net

_ITERATIONS = 1000


def simplex_least_squares(matrix, target, iterations=_ITERATIONS):
    """The weights `w >= 0`, `sum(w) = 1` minimizing `|w @ matrix -
    target|^2` (projected gradient descent).

    Args:
        matrix: `(n, d)` float array, one candidate per row.
        target: `(d,)` float array.

    Returns:
        float32 `(n,)` weights on the simplex.
    """
    matrix = np.asarray(matrix, np.float64)
    gram = matrix @ matrix.T
    linear = matrix @ np.asarray(target, np.float64)
    step = 1.0 / max(np.linalg.eigvalsh(gram)[-1], 1e-12)
    weights = np.full(len(matrix), 1.0 / len(matrix))
    for _ in range(iterations):
        weights = _project_to_simplex(weights - step * (gram @ weights
                                                        - linear))
    return weights.astype(np.float32)


def _project_to_simplex(values):
    """The nearest point of the probability simplex (Duchi et al. 2008)."""
    ordered = np.sort(values)[::-1]
    cumulative = np.cumsum(ordered) - 1.0
    index = np.arange(1, len(values) + 1)
    rho = index[ordered - cumulative / index > 0][-1]
    return np.maximum(values - cumulative[rho - 1] / rho, 0.0)


def painted_grams(net, photo, extractor):
    """Gram matrices of `photo` painted in each of `net`'s styles.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        photo: float32 HWC RGB in [0, 1].
        extractor: `vgg_features.VGGFeatures.extractor(style_layers)`.

    Returns:
        Dict mapping each layer to float32 `(num_styles, C, C)`.
    """
    num_styles = transformer_net.num_styles_of(net)
    painted = net.predict_on_batch(
        [np.repeat(photo[None], num_styles, axis=0),
         np.eye(num_styles, dtype=np.float32)])
    return {name: np.asarray(losses.gram_matrix(value), np.float32)
            for name, value in extractor(painted).items()}


def closest_blend(net, photo, extractor, painting_grams):
    """For each painting, the blend of `net`'s styles closest to it.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        photo: float32 HWC RGB in [0, 1], painted in every style.
        extractor: `vgg_features.VGGFeatures.extractor(style_layers)`.
        painting_grams: Dict mapping each of the extractor's layers to
            the paintings' Gram matrices, `(num_paintings, C, C)`.

    Returns:
        float32 `(num_paintings, num_styles)` weights, each row
        nonnegative and summing to 1.
    """
    styles = painted_grams(net, photo, extractor)
    num_paintings = len(next(iter(painting_grams.values())))
    rows = []
    for p in range(num_paintings):
        matrix, target = [], []
        for name, grams in styles.items():
            goal = np.asarray(painting_grams[name][p], np.float64).ravel()
            scale = 1.0 / max(np.linalg.norm(goal), 1e-12)
            matrix.append(grams.reshape(len(grams), -1) * scale)
            target.append(goal * scale)
        rows.append(simplex_least_squares(np.concatenate(matrix, axis=1),
                                          np.concatenate(target)))
    return np.stack(rows)
