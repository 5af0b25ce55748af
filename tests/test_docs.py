"""README.md, docs/ and CONTRIBUTING.md: the README stays a short front
door, every link resolves, and every command uses flags its tool has."""

import functools
import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

README_MAX_BYTES = 10_000
# What the README promises and CI runs (.ci/run), word for word.
SET_UP_COMMANDS = (
    "pip install -e . && multistyle-stylize",
    'pip install -e ".[test,jax]" && python -m pytest -q tests',
)
_DOCS = ["README.md", "CONTRIBUTING.md"] + sorted(
    os.path.join("docs", name)
    for name in os.listdir(os.path.join(REPO_ROOT, "docs"))
    if name.endswith(".md"))
_SEPARATORS = set("();<>|&\n")
# Flags absl's parser handles itself, which `flags.FLAGS` does not list.
_PARSER_FLAGS = frozenset({"flagfile", "undefok"})


def _read(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as f:
        return f.read()


def _without_code(text):
    return re.sub(r"```.*?```", "", text, flags=re.S)


def _slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _tools():
    """The console scripts' names: `stylize` for `multistyle-stylize`."""
    return set(re.findall(r'^multistyle-(\w+) = "multistyle\.cli\.launch:\1"',
                          _read("pyproject.toml"), re.M))


def _anchors(path):
    return {_slug(line.lstrip("#")) for line in
            _without_code(_read(path)).splitlines() if line.startswith("#")}


def test_readme_is_a_front_door_of_at_most_10_kb():
    assert os.path.getsize(os.path.join(REPO_ROOT, "README.md")) \
        <= README_MAX_BYTES


def test_readme_keeps_its_set_up_commands_and_ci_runs_the_test_command():
    readme = _read("README.md")
    for command in SET_UP_COMMANDS:
        assert command in readme, command
    assert "python -m pytest -q tests" in _read(os.path.join(".ci", "run"))


@pytest.mark.parametrize("path", _DOCS)
def test_links_resolve(path):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", _without_code(_read(path))):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file, _, anchor = target.partition("#")
        file = os.path.normpath(os.path.join(os.path.dirname(path), file)
                                if file else path)
        if not os.path.exists(os.path.join(REPO_ROOT, file)):
            broken.append(target)
        elif anchor and file.endswith(".md") and anchor not in _anchors(file):
            broken.append(target)
    assert not broken, broken


def _strip_comments(script):
    """A shell script without its comments (a # outside quotes that starts
    a word, to the end of the line) and line continuations."""
    out, quote, start_of_word = [], None, True
    i = 0
    while i < len(script):
        char = script[i]
        if quote is None and char == "\\" and i + 1 < len(script):
            out.append(" " if script[i + 1] == "\n" else script[i:i + 2])
            i += 2
            continue
        if quote is None and char == "#" and start_of_word:
            while i < len(script) and script[i] != "\n":
                i += 1
            continue
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        out.append(char)
        start_of_word = quote is None and char.isspace()
        i += 1
    return "".join(out)


def _commands(path):
    """(tool, arguments) of each multistyle-TOOL and `python -m
    multistyle.cli.TOOL` in the bash blocks of a Markdown file."""
    for block in re.findall(r"```bash\n(.*?)```", _read(path), re.S):
        lexer = shlex.shlex(_strip_comments(block), posix=True,
                            punctuation_chars="();<>|&\n")
        lexer.whitespace = " \t\r"
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
        for i, token in enumerate(tokens):
            match = re.fullmatch(r"multistyle-(\w+)", token)
            start = i + 1
            if token == "-m" and i + 1 < len(tokens):
                match = re.fullmatch(r"multistyle\.cli\.(\w+)",
                                     tokens[i + 1])
                start = i + 2
            if not match:
                continue
            args = []
            for arg in tokens[start:]:
                if set(arg) <= _SEPARATORS:
                    break
                args.append(arg)
            yield match.group(1), args


@functools.lru_cache(maxsize=None)
def _tool_flags(tool):
    """Every flag `multistyle-TOOL` accepts: those its imports define."""
    result = subprocess.run(
        [sys.executable, "-c",
         "import json; from absl import flags\n"
         f"import multistyle.cli.{tool}\n"
         "print(json.dumps(sorted(flags.FLAGS)))"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    return frozenset(json.loads(result.stdout.splitlines()[-1]))


def test_the_commands_are_found():
    commands = [c for path in _DOCS for c in _commands(path)]
    tools = {tool for tool, _ in commands}
    assert {"stylize", "train", "video", "serve", "styles"} <= tools
    assert ("video", ["--input=clip.mp4", "--output=painted.mp4",
                      "--keyframes=0:starry_night;4.5:great_wave;"
                      "9:starry_night=0.5,great_wave=0.5"]) in commands


@pytest.mark.large
@pytest.mark.parametrize("path", _DOCS)
def test_every_command_uses_flags_its_tool_has(path):
    wrong = []
    for tool, args in _commands(path):
        if tool not in _tools():
            wrong.append(f"no tool multistyle-{tool}")
            continue
        known = _tool_flags(tool) | _PARSER_FLAGS
        for arg in args:
            name = arg.lstrip("-").split("=", 1)[0]
            boolean_off = name.startswith("no") and name[2:] in known
            if not arg.startswith("-") or not (name in known or boolean_off):
                wrong.append(f"multistyle-{tool} {arg}")
    assert not wrong, wrong


def test_the_layout_names_every_subpackage_and_module():
    layout = _read(os.path.join(REPO_ROOT, "docs", "layout.md"))
    package = os.path.join(REPO_ROOT, "multistyle")
    missing = []
    for root, folders, files in os.walk(package):
        folders[:] = [f for f in folders if not f.startswith(("_", "."))]
        if root != package and os.path.basename(root) + "/" not in layout:
            missing.append(os.path.relpath(root, package) + "/")
        missing += [os.path.relpath(os.path.join(root, f), package)
                    for f in files if f.endswith(".py")
                    and f != "__init__.py"
                    and not re.search(rf"\b{f[:-3]}\b", layout)]
    assert not missing, f"docs/layout.md does not name {missing}"
