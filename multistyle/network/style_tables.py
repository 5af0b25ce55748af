"""The style tables of a network: every style's gamma/beta rows.

Style `i` of a multistyle network is row `i` of every conditional instance
norm gamma/beta table; everything else is shared by all styles (Dumoulin,
Shlens & Kudlur, "A Learned Representation for Artistic Style", ICLR
2017). So styles are removed, reordered or appended by editing those rows
alone, and the convolution weights and the rows of the styles that stay
are copied bit for bit. The same surgery rebuilds a network in another
dtype or with a `valid_size` input (`with_style_tables`).

The functions are pure: they take a network and return a new, standard
`build_transformer_net` network.

Example:

>>> tables = style_tables(net)                    # one (gamma, beta) per norm
>>> first_two = select_styles(net, [0, 1])
>>> plus_one = append_styles(net, mean_style_rows(net, 1))
"""

import keras
import numpy as np

from multistyle.network import transformer_net
from multistyle.network.conditional_instance_norm import ConditionalInstanceNorm


def style_tables(net):
    """Returns every gamma/beta table of a network, in layer order.

    Args:
        net: A network from `transformer_net.build_transformer_net`.

    Returns:
        A list with one `(gamma, beta)` pair of float32 numpy arrays per
        `ConditionalInstanceNorm` layer, each `(num_styles, channels)`.

    Raises:
        ValueError: If `net` has no `ConditionalInstanceNorm` layers.
    """
    transformer_net.num_styles_of(net)  # Raises if there are no tables.
    return [(keras.ops.convert_to_numpy(norm.gamma),
             keras.ops.convert_to_numpy(norm.beta))
            for norm in transformer_net.conditional_norm_layers(net)]


def with_style_tables(net, tables, dtype="float32", padded_inputs=False):
    """A new network with `net`'s convolutions and other gamma/beta tables.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        tables: One `(gamma, beta)` pair per `ConditionalInstanceNorm`
            layer of `net`, in order (see `style_tables`), all with the
            same number of rows: the styles of the new network.
        dtype: Dtype policy of the new network.
        padded_inputs: Build the new network with a `valid_size` input
            (see `transformer_net.build_transformer_net`).

    Returns:
        `net` rebuilt for `num_rows` styles (`transformer_net.rebuilt`),
        holding copies of `net`'s convolution weights and of `tables`.

    Raises:
        ValueError: If `tables` do not fit the network.
    """
    norms = transformer_net.conditional_norm_layers(net)
    if len(tables) != len(norms):
        raise ValueError(
            f"Expected {len(norms)} (gamma, beta) tables, one per "
            f"ConditionalInstanceNorm layer. Received: {len(tables)}")
    rows = {np.shape(table)[0] for pair in tables for table in pair}
    if len(rows) != 1 or 0 in rows:
        raise ValueError("Every gamma/beta table needs the same number of "
                         f"rows, at least 1. Received: {sorted(rows)} rows")
    new = transformer_net.rebuilt(net, num_styles=rows.pop(), dtype=dtype,
                                  padded_inputs=padded_inputs)
    for layer in new.layers:
        if isinstance(layer, ConditionalInstanceNorm) or not layer.weights:
            continue
        weights = net.get_layer(layer.name).get_weights()
        if [w.shape for w in weights] != [tuple(v.shape)
                                          for v in layer.weights]:
            raise ValueError(
                f"Layer {layer.name} of '{net.name}' does not match a "
                f"network of width alpha={new.alpha}.")
        layer.set_weights(weights)
    for norm, (gamma, beta) in zip(
            transformer_net.conditional_norm_layers(new), tables):
        if np.shape(gamma) != tuple(norm.gamma.shape) or np.shape(
                beta) != tuple(norm.beta.shape):
            raise ValueError(
                f"Tables for layer {norm.name} must have shape "
                f"{tuple(norm.gamma.shape)}. Received: {np.shape(gamma)} "
                f"and {np.shape(beta)}")
        norm.gamma.assign(gamma)
        norm.beta.assign(beta)
    return new


def select_styles(net, indices):
    """A new network painting `net`'s styles `indices`, in that order."""
    indices = list(indices)
    return with_style_tables(
        net, [(gamma[indices], beta[indices])
              for gamma, beta in style_tables(net)])


def append_styles(net, tables):
    """A new network painting `net`'s styles, then the rows of `tables`.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        tables: `(gamma, beta)` rows of the new styles, one pair per
            `ConditionalInstanceNorm` layer (see `style_tables`).
    """
    base = style_tables(net)
    if len(tables) != len(base):
        raise ValueError(
            f"Expected {len(base)} (gamma, beta) tables, one per "
            f"ConditionalInstanceNorm layer. Received: {len(tables)}")
    return with_style_tables(
        net, [(np.concatenate([g, new_g]), np.concatenate([b, new_b]))
              for (g, b), (new_g, new_b) in zip(base, tables)])


def mean_style_rows(net, num_rows):
    """`num_rows` copies of the mean of `net`'s rows, as `style_tables`.

    The average style is a better start for a new style than the identity
    (gamma 1, beta 0): it already paints like the network's other styles.
    """
    return [tuple(np.repeat(table.mean(axis=0, keepdims=True), num_rows,
                            axis=0) for table in pair)
            for pair in style_tables(net)]


def blended_style_rows(net, weights):
    """The rows that paint blends of `net`'s styles, as `style_tables`.

    Row `i` of every table is `weights[i] @ table`: what the network
    computes in-graph from the style weights `weights[i]`, so a style
    with these rows paints as `net` does with that blend.

    Args:
        net: A network from `transformer_net.build_transformer_net`.
        weights: `(num_rows, num_styles)` blend weights.
    """
    weights = np.asarray(weights, np.float32)
    return [tuple((weights @ table).astype(np.float32) for table in pair)
            for pair in style_tables(net)]
