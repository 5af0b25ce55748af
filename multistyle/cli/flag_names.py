"""Library messages in the words of the command line: `name` -> --name.

Library functions name their arguments (`model_dir`, `num_steps`) in
errors and help texts, in backticks or as `name=value` after
"Received:". A tool's flag usually has the argument's name (every
`TrainConfig` field is a `multistyle-train` flag); where it does not, the
table below says which flag carries the argument. `to_flags` rewrites a
message for one tool: only names that are flags of that tool change.

Example:

>>> to_flags("`num_steps` must be at least 1. Received: num_steps=0",
...          {"num_steps"})
'--num_steps must be at least 1. Received: --num_steps=0'
"""

import re
import sys

from absl import flags

# Library argument -> the flag that carries it, where the names differ.
ARGUMENT_FLAGS = {
    "model_dir": "model",
    "model_dir_or_keras_path": "model",
    "output_dir": "output",
    "output_path": "output",
    "input_path": "input",
    "styles_spec": "mask_styles",
    "mask_paths": "mask",
}
_BACKTICKED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
_ASSIGNED = re.compile(r"(?<![\w.-])([a-z_][a-z0-9_]*)=")


def tool_flags(module, flag_values=flags.FLAGS):
    """The names of a tool module's key flags (its own and adopted ones)."""
    name = module if isinstance(module, str) else module.__name__
    if name == "__main__":
        name = sys.argv[0]
    return {f.name for f in flag_values.get_key_flags_for_module(name)}


def to_flags(message, names):
    """Rewrites the argument names in `message` that are flags in `names`
    (directly or through `ARGUMENT_FLAGS`) as `--flag`."""

    def flag(name):
        if name in names:
            return name
        alias = ARGUMENT_FLAGS.get(name)
        return alias if alias in names else None

    def backticked(match):
        name = flag(match.group(1))
        return f"--{name}" if name else match.group(0)

    def assigned(match):
        name = flag(match.group(1))
        return f"--{name}=" if name else match.group(0)

    return _ASSIGNED.sub(assigned, _BACKTICKED.sub(backticked, message))


def help_text(text):
    """A field's help text for `--help`: every backticked name is a flag."""
    return _BACKTICKED.sub(lambda m: f"--{m.group(1)}", text)
