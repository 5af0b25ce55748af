"""absl flags made from the fields of a config dataclass, so the dataclass
is the one source of their defaults and help (`metadata={"help": ...}`).

`int`, `float`, `str` and `bool` fields give flags of those types; `list`
and `tuple` fields list flags, whose strings `value` converts back.

>>> BATCH_SIZE = define(config.TrainConfig, "batch_size", __name__)
>>> value(config.TrainConfig, "style_layer_weights", ["1", "0.5"])
(1.0, 0.5)
"""

import dataclasses
import re
import sys
import typing

from absl import flags

_DEFINES = {bool: flags.DEFINE_bool, int: flags.DEFINE_integer,
            float: flags.DEFINE_float, str: flags.DEFINE_string,
            list: flags.DEFINE_list, tuple: flags.DEFINE_list}


def _field_type(config_class, name):
    """The field and its base type: `int` for `Optional[int]`, `list` for
    `list[str]`."""
    field = {f.name: f for f in dataclasses.fields(config_class)}[name]
    args = [a for a in typing.get_args(field.type) if a is not type(None)]
    if typing.get_origin(field.type) is typing.Union and len(args) == 1:
        return field, typing.get_origin(args[0]) or args[0]
    return field, typing.get_origin(field.type) or field.type


def define(config_class, name, module_name, flag_values=flags.FLAGS,
           help_text=None):
    """Defines the flag of field `name` as a key flag of `module_name`
    (with `help_text` instead of the field's, if given); returns its
    `FlagHolder`. A field without a default gives a None default."""
    field, base = _field_type(config_class, name)
    default = None if field.default is dataclasses.MISSING else field.default
    if base in (list, tuple) and default is not None:
        default = [str(v) for v in default]
    return _DEFINES[base](
        name, default, help_text or as_flags(field.metadata["help"]),
        flag_values=flag_values,
        module_name=sys.argv[0] if module_name == "__main__" else module_name)


def as_flags(text, config_class=None):
    """A field's help or error text with the names of `config_class`'s
    fields (any name if None) written as flags: `` `num_steps` `` and
    `num_steps=` as `--num_steps`."""
    names = config_class and {f.name for f in dataclasses.fields(
        config_class)}

    def flag(match):
        name = match.group(1)
        return match.group(0) if names and name not in names else (
            match.group(0).replace("`", "").replace(name, "--" + name, 1))

    text = re.sub(r"`([a-z_][a-z0-9_]*)`", flag, text)
    return re.sub(r"(?<![\w.-])([a-z_][a-z0-9_]*)=", flag, text)


def value(config_class, name, flag_value):
    """A flag's value as its field's type; raises ValueError if a list
    element is not of the element type."""
    field, base = _field_type(config_class, name)
    if flag_value is None or base not in (list, tuple):
        return flag_value
    element = (typing.get_args(field.type) or (str,))[0]
    try:
        return base(element(v) for v in flag_value)
    except ValueError as e:
        raise ValueError(
            f"`{name}` takes {element.__name__} values. Received: "
            f"{name}={','.join(flag_value)}") from e
