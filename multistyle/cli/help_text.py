"""The `--help` screen of a multistyle tool: what it does, examples, flags.

absl's own `--help` lists the flags of the `__main__` module, which for a
console script is the generated wrapper: none of ours. This module writes
the screen a new user needs instead: the tool's docstring (one paragraph
and examples), optional notes (such as the default model's style names),
then the tool's flags in named groups, one short line each (the first
sentence of the flag's help and its default). `--helpfull` stays absl's
complete list.

A tool names its groups in a module-level `HELP_GROUPS`:

    HELP_GROUPS = (
        ("Input and output", ("input=PATH", "output=PATH")),
        ("Style", ("style=NAME", "weights=MIX", "normalize")),
    )

`NAME=METAVAR` sets the placeholder shown; without it one follows from the
flag's type. Without `HELP_GROUPS`, the flags the tool's module defines are
listed under "Options" and shared ones under their module's title.
"""

import re
import textwrap

from absl import flags

WIDTH = 80
_NAME_COLUMN = 26
GENERAL_LINES = (
    ("--flagfile=FILE", "Read flags from FILE, one --flag=value per line "
                        "(later flags win)."),
    ("-v, --verbosity=N", "Show details, library messages included "
                          "(-v means 1)."),
    ("--version", "Print the version and exit."),
    ("--helpfull", "Every flag, Keras' and absl's included."),
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\-])")
# absl prefixes an enum flag's help with its choices: "<a|b>: ...".
_ENUM_PREFIX = re.compile(r"^<[^>]*>: ")


def first_sentence(text):
    """The first sentence of a flag's help text, whitespace collapsed."""
    text = _ENUM_PREFIX.sub("", " ".join((text or "").split()))
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def _metavar(flag):
    if isinstance(flag, flags.BooleanFlag) or flag.flag_type() == "bool":
        return None
    if isinstance(flag.parser, flags.EnumParser):
        return "{" + ",".join(flag.parser.enum_values) + "}"
    return {"int": "N", "float": "X", "list": "A,B,..."}.get(
        flag.flag_type(), "VALUE")


def _default_text(flag):
    default = flag.default
    if default is None or default is False or default == [] or \
            default == "":
        return ""
    if default is True:
        return " (default: on)"
    if isinstance(default, (list, tuple)):
        default = ",".join(str(d) for d in default)
    return f" (default: {default})"


def flag_line(flag, metavar=None):
    """`(left, right)`: the flag as typed and its one-line description."""
    if _metavar(flag) is None:
        left = f"--[no]{flag.name}"
    else:
        left = f"--{flag.name}={metavar or _metavar(flag)}"
    return left, first_sentence(flag.help) + _default_text(flag)


def _format_rows(rows):
    lines = []
    for left, right in rows:
        indent = " " * _NAME_COLUMN
        wrapped = textwrap.wrap(right, WIDTH - _NAME_COLUMN) or [""]
        if len(left) + 4 > _NAME_COLUMN:
            lines.append(f"  {left}")
            lines.extend(indent + w for w in wrapped)
        else:
            lines.append(f"  {left:<{_NAME_COLUMN - 2}}{wrapped[0]}")
            lines.extend(indent + w for w in wrapped[1:])
    return lines


def _parse_entry(entry):
    name, _, metavar = entry.partition("=")
    return name, metavar or None


def default_groups(module_name, flag_values=flags.FLAGS):
    """Groups for a tool without `HELP_GROUPS`: its own flags under
    "Options", then each of its key flags' other modules."""
    own = [f.name for f in flag_values.get_flags_for_module(module_name)]
    groups = [("Options", tuple(own))] if own else []
    for module, module_flags in flag_values.flags_by_module_dict().items():
        if module == module_name or not module.startswith("multistyle."):
            continue
        names = tuple(f.name for f in module_flags
                      if f in flag_values.get_key_flags_for_module(
                          module_name))
        if names:
            groups.append((f"Shared ({module.rsplit('.', 1)[-1]})", names))
    return groups


def format_help(program, doc, groups, notes=(), flag_values=flags.FLAGS):
    """The help screen.

    Args:
        program: The command's name, e.g. `multistyle-stylize`.
        doc: The tool's docstring: a summary line, a paragraph, examples.
        groups: `(title, entries)` pairs; an entry is a flag name,
            optionally with `=METAVAR`.
        notes: Extra paragraphs shown after the docstring.
        flag_values: The `FlagValues` holding the flags.

    Returns:
        The text, ending in a newline.

    Raises:
        KeyError: If a group names an undefined flag.
    """
    # A docstring's first line carries no indent; dedent the rest alone.
    summary, _, rest = (doc or "").strip().partition("\n")
    parts = [f"usage: {program} [flags]", "",
             (summary.strip() + "\n" + textwrap.dedent(rest)).strip()]
    for note in notes:
        if note:
            parts += ["", note.strip()]
    for title, entries in groups:
        rows = []
        for entry in entries:
            name, metavar = _parse_entry(entry)
            rows.append(flag_line(flag_values[name], metavar))
        parts += ["", f"{title}:"] + _format_rows(rows)
    parts += ["", "General:"] + _format_rows(GENERAL_LINES)
    return "\n".join(parts) + "\n"


def flag_names(groups):
    """Every flag name the groups list."""
    return {_parse_entry(e)[0] for _, entries in groups for e in entries}
