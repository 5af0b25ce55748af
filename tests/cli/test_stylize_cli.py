"""multistyle-stylize end to end.

Three tests start the real console program in a subprocess (~5 s each, for
the imports); the many bad-input cases run the same `run()` in-process,
with fresh flags, which takes a fraction of a second each.
"""

import functools
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from multistyle.inference import style_masks
from multistyle.inference import stylizer as stylizer_lib
from multistyle.cli import stylize as stylize_cli
from tests.conftest import REPO_ROOT
from tests.conftest import write_image


def _run_subprocess(*args):
    return subprocess.run(
        [sys.executable, "-m", "multistyle.cli.stylize", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


@pytest.fixture
def run_in_process(run_cli):
    """Runs `multistyle-stylize ARGS` in this process: (code, out, err)."""
    return functools.partial(run_cli, stylize_cli.run)


@pytest.fixture
def photo_path(tmp_path):
    return write_image(str(tmp_path / "photo.png"), 30, 40)


@pytest.fixture
def truncated_path(tmp_path):
    path = write_image(str(tmp_path / "cut.jpg"), 30, 40)
    with open(path, "rb") as f:
        head = f.read(300)
    with open(path, "wb") as f:
        f.write(head)
    return path


def test_single_photo_is_written_and_reported(model_dir, photo_path,
                                              tmp_path):
    output = tmp_path / "out" / "painted.png"
    result = _run_subprocess(
        f"--model={model_dir}", f"--input={photo_path}", f"--output={output}",
        "--weights=starry_night=0.7,great_wave=0.3", "--strength=0.8",
        "--preserve_color", "--max_size=20")
    assert result.returncode == 0, result.stderr
    assert f"Wrote {output}" in result.stdout
    assert Image.open(output).size == (20, 15)


def test_folder_with_a_corrupt_file_still_writes_the_others(
        model_dir, tmp_path, truncated_path):
    photos = tmp_path / "photos"
    write_image(str(photos / "a.jpg"), 24, 32, seed=1)
    write_image(str(photos / "nested" / "b.png"), 32, 24, seed=2)
    os.replace(truncated_path, photos / "cut.jpg")
    output = tmp_path / "painted"
    result = _run_subprocess(f"--model={model_dir}", f"--input={photos}",
                             f"--output={output}", "--style=great_wave")
    assert result.returncode == 1
    assert "cut.jpg" in result.stderr and "not a readable image" in \
        result.stderr
    assert "Wrote 2 of 3 images" in result.stdout
    assert Image.open(output / "a.jpg").size == (32, 24)
    assert Image.open(output / "nested" / "b.png").size == (24, 32)
    assert not (output / "cut.jpg").exists()


def test_bad_input_exits_with_code_2_and_one_line(model_dir, photo_path,
                                                  tmp_path):
    result = _run_subprocess(f"--model={model_dir}", f"--input={photo_path}",
                             f"--output={tmp_path / 'x.jpg'}",
                             "--style=mona_lisa")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: Unknown style 'mona_lisa'")
    assert not (tmp_path / "x.jpg").exists()


@pytest.mark.parametrize("args,message", [
    (["--style=bogus"], "Unknown style 'bogus'.*starry_night, great_wave"),
    (["--weights=bogus=1"], "Unknown style 'bogus'"),
    (["--weights=1,0"], "Expected 3 style weights"),
    (["--weights=1,-1,0"], "must be >= 0"),
    (["--weights=nan,1,0"], "must be finite"),
    (["--weights=0,0,0"], "all zero"),
    (["--weights=1,0,0", "--style=great_wave"], "not both"),
    (["--strength=1.5"], "strength"),
    (["--tile_size=8"], "tile_size"),
    (["--mask_styles=great_wave,0"], "--mask_styles needs --mask"),
    (["--mask=mask.png"], "--mask needs --mask_styles"),
    (["--mask=mask.png", "--mask_styles=0,1", "--weights=1,0,0"],
     "Give either --weights or --mask, not both."),
    (["--stroke_scale=0"], "--stroke_scale must be a number from 0.25"),
    (["--stroke_scale=12"], "--stroke_scale must be a number from 0.25"),
    (["--stroke_scale=big"], "flag --stroke_scale=big"),
    (["--runtime=gpu"], "flag --runtime=gpu: value should be one of"),
    (["--runtime=tflite"], "needs model_float16.tflite"),
    (["--runtime=saved_model"], "needs a SavedModel"),
    (["--json", "--output=-"], "--json prints its summary on stdout"),
])
def test_bad_options_exit_with_code_2(run_in_process, model_dir, photo_path,
                                      tmp_path, args, message):
    code, _, err = run_in_process(f"--model={model_dir}",
                                  f"--input={photo_path}",
                                  *([] if "--output=-" in args else
                                    [f"--output={tmp_path / 'out.jpg'}"]),
                                  *args)
    assert code == 2
    assert err.startswith("Error: ")
    assert re.search(message, err), err
    assert not (tmp_path / "out.jpg").exists()


def test_unreadable_photo_exits_with_code_2(run_in_process, model_dir,
                                            truncated_path, tmp_path):
    code, _, err = run_in_process(f"--model={model_dir}",
                                  f"--input={truncated_path}",
                                  f"--output={tmp_path / 'out.jpg'}")
    assert code == 2
    assert "cut.jpg: not a readable image" in err


def test_unwritable_output_folder_exits_with_code_2(run_in_process, model_dir,
                                                    photo_path, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file where a folder should be")
    code, _, err = run_in_process(f"--model={model_dir}",
                                  f"--input={photo_path}",
                                  f"--output={blocker / 'out.jpg'}")
    assert code == 2
    assert "Cannot write to output folder" in err


def test_missing_model_exits_with_code_2(run_in_process, photo_path,
                                         tmp_path):
    code, _, err = run_in_process(f"--model={tmp_path / 'none'}",
                                  f"--input={photo_path}")
    assert code == 2
    assert "does not exist" in err


def test_model_takes_a_shipped_models_name(run_in_process, photo_path,
                                           tmp_path):
    output = tmp_path / "lite.jpg"
    code, out, err = run_in_process("--model=multistyle16_lite",
                                    f"--input={photo_path}",
                                    f"--output={output}")
    assert code == 0, err
    assert Image.open(output).size == (40, 30)


def test_unknown_model_name_exits_2_listing_the_shipped_ones(
        run_in_process, photo_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_in_process("--model=multistyle61",
                                  f"--input={photo_path}")
    assert code == 2
    assert "--model must be a model folder or the name of a shipped" in err
    assert "Did you mean 'multistyle16'?" in err


def test_output_equals_library_result(run_in_process, model_dir, photo_path,
                                      tmp_path):
    output = tmp_path / "out.png"
    code, out, _ = run_in_process(f"--model={model_dir}",
                                  f"--input={photo_path}",
                                  f"--output={output}",
                                  "--weights=2,0,2", "--nonormalize")
    assert code == 0 and f"Wrote {output}" in out
    expected = stylizer_lib.Stylizer(model_dir).stylize(photo_path, [2, 0, 2])
    np.testing.assert_array_equal(np.asarray(Image.open(output)),
                                  np.asarray(expected))


def test_mask_output_equals_library_result(run_in_process, model_dir,
                                           photo_path, tmp_path):
    mask = np.zeros((30, 40), np.uint8)
    mask[:, :20] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    output = tmp_path / "out.png"
    code, out, err = run_in_process(f"--model={model_dir}",
                                    f"--input={photo_path}",
                                    f"--output={output}",
                                    f"--mask={tmp_path / 'mask.png'}",
                                    "--mask_styles=great_wave,0")
    assert code == 0, err
    stylizer = stylizer_lib.Stylizer(model_dir)
    weights = style_masks.load_weight_map(
        str(tmp_path / "mask.png"), "great_wave,0", stylizer.style_names)
    np.testing.assert_array_equal(np.asarray(Image.open(output)),
                                  np.asarray(stylizer.stylize(photo_path,
                                                              weights)))


def test_writes_stylized_jpg_in_the_current_folder_by_default(
        run_in_process, model_dir, photo_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_in_process(f"--model={model_dir}",
                                  f"--input={photo_path}")
    assert code == 0 and "Wrote stylized.jpg" in out
    assert Image.open(tmp_path / "stylized.jpg").size == (40, 30)


def _readme_main_command(cwd, *args):
    if not os.path.isdir(os.path.join(REPO_ROOT, "saved_models",
                                      "multistyle16")):
        pytest.fail("saved_models/multistyle16 must ship with the project")
    env = {**os.environ, "PYTHONPATH": REPO_ROOT}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # Quiet without it.
    return subprocess.run(
        [sys.executable, "-m", "multistyle.cli.stylize", *args], cwd=cwd,
        capture_output=True, text=True, env=env, timeout=300)


def test_readme_main_command_paints_the_sample_with_the_shipped_model(
        tmp_path):
    """`multistyle-stylize` with no flags: shipped model + sample photo."""
    result = _readme_main_command(tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    painted = Image.open(tmp_path / "stylized.jpg")
    sample = Image.open(os.path.join(REPO_ROOT, "samples", "photo.png"))
    assert painted.size == sample.size


def test_a_normal_run_prints_only_our_line(tmp_path):
    result = _readme_main_command(tmp_path)

    assert result.stderr == ""
    assert re.fullmatch(r"Wrote stylized\.jpg \(640x448, starry_night, "
                        r"[0-9.]+ s\)\n", result.stdout), result.stdout


def test_v_brings_the_library_details_back(tmp_path):
    result = _readme_main_command(tmp_path, "-v")

    assert result.returncode == 0
    assert result.stderr.strip(), "expected library lines with -v"


def test_stdin_to_stdout_is_the_same_painting(model_dir, photo_path,
                                              tmp_path):
    with open(photo_path, "rb") as f:
        result = subprocess.run(
            [sys.executable, "-m", "multistyle.cli.stylize",
             f"--model={model_dir}", "--input=-", "--output=-",
             "--style=great_wave"], stdin=f, capture_output=True,
            cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(b"\x89PNG")
    assert b"Wrote a PNG to stdout" in result.stderr
    (tmp_path / "piped.png").write_bytes(result.stdout)
    stylizer = stylizer_lib.Stylizer(model_dir)
    expected = stylizer.stylize(photo_path, stylizer.weights(
        style="great_wave"))
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path /
                                                        "piped.png")),
                                  np.asarray(expected))


def test_empty_stdin_exits_with_code_2(run_in_process, model_dir,
                                       monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run_in_process(f"--model={model_dir}", "--input=-")
    assert code == 2 and "<stdin>: no data" in err


def test_garbage_on_stdin_exits_with_code_2(run_in_process, model_dir,
                                            monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(
        b"not an image")))
    code, _, err = run_in_process(f"--model={model_dir}", "--input=-",
                                  f"--output={tmp_path / 'out.png'}")
    assert code == 2 and "<stdin>: not a readable image" in err


def test_folder_input_cannot_go_to_stdout(run_in_process, model_dir,
                                          photo_dir):
    code, _, err = run_in_process(f"--model={model_dir}",
                                  f"--input={photo_dir}", "--output=-")
    assert code == 2 and "--output=- writes one image" in err


def test_json_summary_lists_what_was_written(run_in_process, model_dir,
                                             photo_path, tmp_path):
    output = tmp_path / "out.png"
    code, out, _ = run_in_process(
        f"--model={model_dir}", f"--input={photo_path}", f"--output={output}",
        "--weights=starry_night=3,great_wave=1", "--stroke_scale=2", "--json")

    assert code == 0
    summary = json.loads(out)
    assert summary["command"] == "multistyle-stylize"
    assert summary["styles"] == {"starry_night": 0.75, "great_wave": 0.25}
    assert summary["stroke_scale"] == 2.0
    assert summary["runtime"] == "keras"
    [written] = summary["outputs"]
    assert written["path"] == str(output) and written["input"] == photo_path
    assert (written["width"], written["height"]) == (40, 30)
    assert written["bytes"] == output.stat().st_size
    assert set(summary["seconds"]) == {"load_model", "stylize", "total"}


def test_json_summary_of_a_folder_counts_failures(
        run_in_process, model_dir, tmp_path, truncated_path):
    photos = tmp_path / "photos"
    write_image(str(photos / "a.jpg"), 24, 32, seed=1)
    os.replace(truncated_path, photos / "cut.jpg")
    code, out, _ = run_in_process(f"--model={model_dir}",
                                  f"--input={photos}",
                                  f"--output={tmp_path / 'painted'}",
                                  "--json")
    assert code == 1
    summary = json.loads(out)
    assert [w["input"] for w in summary["outputs"]] == [str(photos /
                                                            "a.jpg")]
    assert "cut.jpg" in summary["failed"][0]["input"]


def test_stroke_scale_output_equals_library_result(run_in_process, model_dir,
                                                   photo_path, tmp_path):
    output = tmp_path / "out.png"
    code, _, err = run_in_process(f"--model={model_dir}",
                                  f"--input={photo_path}",
                                  f"--output={output}", "--stroke_scale=2",
                                  "--preserve_color")
    assert code == 0, err
    stylizer = stylizer_lib.Stylizer(model_dir)
    expected = stylizer.stylize(photo_path, stylizer.weights(),
                                preserve_color=True, stroke_scale=2)
    np.testing.assert_array_equal(np.asarray(Image.open(output)),
                                  np.asarray(expected))
