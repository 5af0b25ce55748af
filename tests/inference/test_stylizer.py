import os
import shutil

import keras
import numpy as np
from PIL import Image
import pytest

from multistyle.inference import stylizer as stylizer_lib
from multistyle.io import image_io
from multistyle.model_folder import folder_io
from multistyle.model_folder import presets
from multistyle.model_folder import style_set
from tests.conftest import TEST_STYLE_NAMES
from tests.conftest import write_image


def _ycbcr(image):
    return np.asarray(Image.fromarray(np.asarray(image)).convert("YCbCr"),
                      np.float64)


def test_loads_style_names_in_order(stylizer):
    assert stylizer.style_names == list(TEST_STYLE_NAMES)
    assert stylizer.num_styles == 3


def test_returns_rgb_image_of_input_size(stylizer, photo):
    out = stylizer.stylize(photo, [0, 1, 0])
    assert out.mode == "RGB" and out.size == (40, 30)


def test_styles_paint_differently(stylizer, photo):
    a = np.asarray(stylizer.stylize(photo, [1, 0, 0]), np.float64)
    b = np.asarray(stylizer.stylize(photo, [0, 1, 0]), np.float64)
    assert np.abs(a - b).mean() > 5


def test_style_by_name_equals_one_hot_vector(stylizer, photo):
    by_name = stylizer.stylize(photo, stylizer.weights(style="great_wave"))
    one_hot = stylizer.stylize(photo, [0, 1, 0])
    np.testing.assert_array_equal(np.asarray(by_name), np.asarray(one_hot))


def test_weights_spec_is_normalized_by_default(stylizer):
    np.testing.assert_allclose(
        stylizer.weights("starry_night=1,composition_vii=3"), [0.25, 0, 0.75])
    np.testing.assert_allclose(
        stylizer.weights("1,0,3", normalize=False), [1, 0, 3])


def test_path_and_array_give_the_same_result(stylizer, photo, tmp_path):
    path = str(tmp_path / "photo.png")
    Image.fromarray(photo).save(path)
    np.testing.assert_array_equal(
        np.asarray(stylizer.stylize(path, [1, 0, 0])),
        np.asarray(stylizer.stylize(photo, [1, 0, 0])))


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16"])
def test_converts_grayscale_rgba_palette_and_16_bit_files(stylizer, tmp_path,
                                                          mode):
    path = str(tmp_path / f"photo_{mode.replace(';', '')}.png")
    if mode == "I;16":
        ramp = np.linspace(0, 65535, 24 * 20).reshape(20, 24)
        Image.fromarray(ramp.astype(np.uint16)).save(path)
    else:
        write_image(path, 20, 24, mode=mode)
    assert Image.open(path).mode.startswith(mode[0])
    out = stylizer.stylize(path, [1, 0, 0])
    assert out.mode == "RGB" and out.size == (24, 20)


@pytest.mark.parametrize("shape", [(1, 1, 3), (3, 7, 3), (15, 40, 3),
                                   (9, 9)])
def test_tiny_images_keep_their_size(stylizer, shape):
    image = np.random.default_rng(1).integers(0, 256, shape, np.uint8)
    out = stylizer.stylize(image, [0, 0, 1])
    assert out.size == (shape[1], shape[0])


def test_zero_strength_returns_the_photo(stylizer, photo):
    out = stylizer.stylize(photo, [1, 0, 0], strength=0.0)
    np.testing.assert_array_equal(np.asarray(out), photo)


def test_half_strength_is_the_mean_of_photo_and_style(stylizer, photo):
    full = np.asarray(stylizer.stylize(photo, [1, 0, 0]), np.float64)
    half = np.asarray(stylizer.stylize(photo, [1, 0, 0], strength=0.5))
    assert np.abs(half - (full + photo) / 2).max() <= 1


def test_preserve_color_keeps_chroma_and_takes_stylized_luma(stylizer, photo):
    styled = _ycbcr(stylizer.stylize(photo, [1, 0, 0]))
    kept = _ycbcr(stylizer.stylize(photo, [1, 0, 0], preserve_color=True))
    original = _ycbcr(photo)
    # Clipping to [0, 255] can shift a few saturated pixels.
    assert np.median(np.abs(kept[..., 1:] - original[..., 1:])) <= 1
    assert np.median(np.abs(kept[..., 0] - styled[..., 0])) <= 1


def test_max_size_downsizes_the_long_side(stylizer, photo):
    out = stylizer.stylize(photo, [1, 0, 0], max_size=20)
    assert out.size == (20, 15)


def test_tiled_stylization_keeps_size(stylizer):
    image = np.random.default_rng(2).integers(0, 256, (70, 90, 3), np.uint8)
    progress = []
    out = stylizer.stylize(image, [1, 0, 0], tile_size=48, tile_overlap=16,
                           on_tile=lambda done, total: progress.append(done))
    assert out.size == (90, 70) and progress[-1] == len(progress) > 1


@pytest.mark.parametrize("kwargs,message", [
    (dict(strength=1.5), "strength"),
    (dict(max_size=0), "max_size"),
    (dict(tile_size=8), "tile_size"),
])
def test_rejects_bad_options(stylizer, photo, kwargs, message):
    with pytest.raises(ValueError, match=message):
        stylizer.stylize(photo, [1, 0, 0], **kwargs)


def test_rejects_wrong_number_of_weights(stylizer, photo):
    with pytest.raises(ValueError, match="Expected 3 style weights"):
        stylizer.stylize(photo, [1, 0])


def test_rejects_unsupported_array(stylizer):
    with pytest.raises(ValueError, match="uint8 HWC"):
        stylizer.stylize(np.zeros((4, 4, 5), np.float64), [1, 0, 0])


def test_rejects_truncated_file(stylizer, photo, tmp_path):
    path = tmp_path / "cut.jpg"
    Image.fromarray(photo).save(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(image_io.ImageReadError, match="cut.jpg"):
        stylizer.stylize(str(path), [1, 0, 0])


def test_missing_model_files_are_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        stylizer_lib.Stylizer(str(tmp_path / "nowhere"))
    folder_io.write_styles(str(tmp_path), [style_set.Style("a")])
    with pytest.raises(FileNotFoundError, match="model.keras"):
        stylizer_lib.Stylizer(str(tmp_path))


def test_rejects_style_list_that_does_not_match_network(model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    folder_io.write_styles(str(folder),
                           [style_set.Style("a"), style_set.Style("b")])
    with pytest.raises(ValueError, match="2 styles.*paints 3"):
        stylizer_lib.Stylizer(str(folder))


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="SavedModel export needs the TensorFlow backend")
def test_saved_model_folder_gives_the_keras_result(model_dir, stylizer,
                                                   photo, tmp_path):
    from multistyle.export import saved_model

    exported = str(tmp_path / "exported")
    saved_model.export_saved_model(model_dir, exported)
    assert os.path.isfile(os.path.join(exported, "saved_model.pb"))
    from_saved_model = stylizer_lib.Stylizer(exported)
    assert from_saved_model.style_names == stylizer.style_names
    weights = [0.2, 0.5, 0.3]
    np.testing.assert_allclose(
        np.asarray(from_saved_model.stylize(photo, weights), np.float64),
        np.asarray(stylizer.stylize(photo, weights), np.float64), atol=1)


def test_bfloat16_precision_stays_within_a_few_levels_of_float32(
        model_dir, photo):
    full = stylizer_lib.Stylizer(model_dir)
    half = stylizer_lib.Stylizer(model_dir, precision="bfloat16")
    weights = full.weights("starry_night=0.5,great_wave=0.5")
    diff = np.abs(np.asarray(full.stylize(photo, weights), np.int32)
                  - np.asarray(half.stylize(photo, weights), np.int32))
    assert diff.mean() < 2.0 and np.percentile(diff, 99) <= 8


def test_bfloat16_needs_the_keras_file(tmp_path, model_dir):
    exported = tmp_path / "no_keras"
    shutil.copytree(model_dir, exported)
    os.remove(exported / "model.keras")
    with pytest.raises(FileNotFoundError, match="needs model.keras"):
        stylizer_lib.Stylizer(str(exported), precision="bfloat16")
    with pytest.raises(ValueError, match="`precision` must be one of"):
        stylizer_lib.Stylizer(model_dir, precision="float16")


def test_new_sizes_in_one_bucket_do_not_compile_again(model_dir,
                                                      monkeypatch):
    from multistyle.network import transformer_net

    network = stylizer_lib.Stylizer(model_dir).network
    exact = keras.saving.load_model(os.path.join(model_dir, "model.keras"))
    weights = np.float32([[0.2, 0.5, 0.3]])
    rng = np.random.default_rng(0)
    batches = [rng.random((1, height, width, 3), "float32")
               for height, width in [(40, 48), (36, 44), (44, 40), (34, 46)]]
    expected = [np.asarray(exact([images, weights])) for images in batches]
    traces = []
    crop = transformer_net.CropToMatch.call

    def counting_crop(self, inputs, reference):
        traces.append(reference.shape)  # Runs when a graph is traced.
        return crop(self, inputs, reference)

    monkeypatch.setattr(transformer_net.CropToMatch, "call", counting_crop)
    for images, output in zip(batches, expected):
        np.testing.assert_allclose(network(images, weights), output,
                                   atol=1e-5)
    # JAX compiles the one padded bucket shape; tf.function traces the
    # first shape, then relaxes to any height and width.
    assert 1 <= len(traces) <= 2


def test_from_preset_loads_a_shipped_model_by_name():
    stylizer = stylizer_lib.Stylizer.from_preset("multistyle16_lite")

    assert stylizer.num_styles == 16
    assert os.path.samefile(stylizer.model_dir,
                            presets.preset_dir("multistyle16_lite"))


def test_from_preset_takes_a_model_folder_too(model_dir):
    stylizer = stylizer_lib.Stylizer.from_preset(model_dir)

    assert stylizer.style_names == list(TEST_STYLE_NAMES)


def test_from_preset_lists_the_presets_for_an_unknown_name():
    with pytest.raises(FileNotFoundError,
                       match="`preset` must be .*multistyle16_lite"):
        stylizer_lib.Stylizer.from_preset("no_such_preset")
