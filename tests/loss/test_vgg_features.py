import numpy as np
import pytest

from multistyle.loss import vgg_features


@pytest.fixture(scope="module")
def vgg():
    return vgg_features.VGGFeatures(weights=None)


def test_extractor_returns_requested_layers(vgg):
    extract = vgg.extractor(["block1_conv1", "block3_conv1"])
    feats = extract(np.zeros((2, 32, 32, 3), "float32"))
    assert set(feats) == {"block1_conv1", "block3_conv1"}
    assert feats["block1_conv1"].shape == (2, 32, 32, 64)
    assert feats["block3_conv1"].shape == (2, 8, 8, 256)


def test_extractor_stops_at_deepest_layer(vgg):
    shallow = vgg.extractor(["block2_conv1"])
    deep = vgg.extractor(["block5_conv1"])
    assert shallow.count_params() < deep.count_params() / 10


def test_rejects_unknown_layer(vgg):
    with pytest.raises(ValueError, match="block9_conv1"):
        vgg.extractor(["block9_conv1"])


def test_caffe_preprocess_is_bgr_minus_mean():
    rgb = np.array([[[[1.0, 0.5, 0.0]]]], "float32")
    out = np.asarray(vgg_features.caffe_preprocess(rgb))[0, 0, 0]
    np.testing.assert_allclose(out, [0.0 - 103.939, 127.5 - 116.779,
                                     255.0 - 123.68], rtol=1e-5)


def test_poolings_before_layer():
    assert vgg_features.num_poolings_before("block1_conv1") == 0
    assert vgg_features.num_poolings_before("block5_conv1") == 4


def test_real_weights_respond_to_edges(real_vgg_weights):
    vgg = vgg_features.VGGFeatures(weights=real_vgg_weights)
    extract = vgg.extractor(["block1_conv1"])
    flat = np.full((1, 16, 16, 3), 0.5, "float32")
    edge = flat.copy()
    edge[:, :, 8:] = 1.0
    flat_feat = np.asarray(extract(flat)["block1_conv1"])
    edge_feat = np.asarray(extract(edge)["block1_conv1"])
    # Interior of the flat image is constant; the edge lights up filters.
    assert np.ptp(flat_feat[0, 4:12, 4:12], axis=(0, 1)).max() < 1e-3
    assert np.abs(edge_feat[0, 4:12, 7:9] - flat_feat[0, 4:12, 7:9]).max() > 1
