import keras
import numpy as np
import pytest

from multistyle.model_folder import folder_io
from multistyle.network import style_tables
from multistyle.network import transformer_net
from tests.conftest import paint_style


@pytest.fixture
def base(model_dir):
    net, _, _ = folder_io.read(model_dir)
    return net


def test_tables_have_one_row_per_style(base):
    tables = style_tables.style_tables(base)
    assert len(tables) == len(transformer_net.conditional_norm_layers(base))
    assert {gamma.shape[0] for gamma, _ in tables} == {3}


def test_selected_styles_paint_as_before_in_their_new_order(base):
    net = style_tables.select_styles(base, [2, 0])
    np.testing.assert_array_equal(paint_style(net, 0), paint_style(base, 2))
    np.testing.assert_array_equal(paint_style(net, 1), paint_style(base, 0))


def test_appending_rows_copies_convolutions_bit_for_bit(base):
    extended = style_tables.append_styles(
        base, style_tables.mean_style_rows(base, 2))
    assert transformer_net.num_styles_of(extended) == 5
    for layer in base.layers:
        if isinstance(layer, keras.layers.Conv2D):
            np.testing.assert_array_equal(
                extended.get_layer(layer.name).get_weights()[0],
                layer.get_weights()[0])


def test_appended_rows_paint_like_the_style_they_copy(base):
    rows = [(gamma[1:2], beta[1:2])
            for gamma, beta in style_tables.style_tables(base)]
    extended = style_tables.append_styles(base, rows)
    np.testing.assert_array_equal(paint_style(extended, 3),
                                  paint_style(base, 1))


def test_mean_rows_are_the_mean_of_every_table(base):
    rows = style_tables.mean_style_rows(base, 2)
    for (gamma, beta), (mean_gamma, mean_beta) in zip(
            style_tables.style_tables(base), rows):
        np.testing.assert_allclose(mean_gamma, [gamma.mean(0)] * 2)
        np.testing.assert_allclose(mean_beta, [beta.mean(0)] * 2)


def test_rebuilt_networks_keep_the_settings(base):
    fewer = style_tables.select_styles(base, [1])
    assert (fewer.num_styles, fewer.alpha, fewer.normalization) == (
        1, base.alpha, base.normalization)


def test_tables_of_the_wrong_count_are_refused(base):
    with pytest.raises(ValueError, match="one per"):
        style_tables.with_style_tables(base, style_tables.style_tables(
            base)[:-1])


def test_tables_with_different_row_counts_are_refused(base):
    tables = style_tables.style_tables(base)
    tables[0] = (tables[0][0][:1], tables[0][1][:1])
    with pytest.raises(ValueError, match="same number of rows"):
        style_tables.with_style_tables(base, tables)


def test_bfloat16_twin_keeps_the_tables_to_bfloat16_precision(base):
    twin = style_tables.with_style_tables(
        base, style_tables.style_tables(base), dtype="bfloat16")
    assert twin.get_layer("down1_conv").dtype_policy.name == "bfloat16"
    for (gamma, _), (twin_gamma, _) in zip(style_tables.style_tables(base),
                                           style_tables.style_tables(twin)):
        np.testing.assert_allclose(gamma, np.asarray(twin_gamma, np.float32),
                                   rtol=2 ** -8)
