"""absl flags made from the fields of a config dataclass.

A field becomes the flag of its name, with its default and the help text
of its metadata (`metadata={"help": ...}`, backticked names shown as
`--flags`). `int`, `float`, `str` and `bool` fields map to the flag types
of those names; `list[...]` and `tuple[...]` fields to list flags, whose
strings `value` converts back to the element type. So the dataclass is
the one source of the defaults, and a flag cannot disagree with it.

Example:

>>> BATCH_SIZE = define(config.TrainConfig, "batch_size", __name__)
>>> value(config.TrainConfig, "style_layer_weights", ["1", "0.5"])
(1.0, 0.5)
"""

import dataclasses
import sys
import typing

from absl import flags

from multistyle.cli import flag_names

_DEFINES = {bool: flags.DEFINE_bool, int: flags.DEFINE_integer,
            float: flags.DEFINE_float, str: flags.DEFINE_string}


def _field(config_class, name):
    return {f.name: f for f in dataclasses.fields(config_class)}[name]


def _base_type(annotation):
    """`int` for `int` and `Optional[int]`; `list`/`tuple` for those."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Union and len(args) == 1:
        return _base_type(args[0])
    return typing.get_origin(annotation) or annotation


def define(config_class, name, module_name, flag_values=flags.FLAGS,
           help_text=None):
    """Defines the flag of a field as a key flag of `module_name`.

    Args:
        config_class: A dataclass whose fields carry `metadata["help"]`.
        name: The field, and the flag's name.
        module_name: The defining module's `__name__` (the flag is listed
            in its `--help`).
        flag_values: Where to define it.
        help_text: The flag's help, if the tool means something else by
            it than the field's help says.

    Returns:
        The `FlagHolder`. A field without a default gives a flag whose
        default is None (mark it required where it is).
    """
    field = _field(config_class, name)
    default = None if field.default is dataclasses.MISSING else field.default
    base = _base_type(field.type)
    if module_name == "__main__":
        module_name = sys.argv[0]  # As absl names the main module.
    kwargs = dict(flag_values=flag_values, module_name=module_name)
    help_text = help_text or flag_names.help_text(field.metadata["help"])
    if base in (list, tuple):
        default = None if default is None else [str(v) for v in default]
        return flags.DEFINE_list(name, default, help_text, **kwargs)
    return _DEFINES[base](name, default, help_text, **kwargs)


def value(config_class, name, flag_value):
    """A flag's value as its field's type (list flags' strings converted).

    Raises:
        ValueError: If a list element is not of the element type.
    """
    field = _field(config_class, name)
    base = _base_type(field.type)
    if flag_value is None or base not in (list, tuple):
        return flag_value
    element = (typing.get_args(field.type) or (str,))[0]
    try:
        return base(element(v) for v in flag_value)
    except ValueError as e:
        raise ValueError(
            f"`{name}` takes {element.__name__} values. Received: "
            f"{name}={','.join(flag_value)}") from e
