"""absl flags made from the fields of config dataclasses, which hold their
defaults and help (`metadata={"help": ...}`). A field that is a dataclass
(a group) gives its fields' flags, by their own names: `--num_steps` for
`TrainConfig.schedule.num_steps`. Tuple fields give list flags.

>>> BATCH_SIZE = define(config.Data, "batch_size", __name__)
>>> build(config.Loss, {"style_layer_weights": ["1", "0.5"]})
"""

import dataclasses
import re
import sys
import typing

from absl import flags

from multistyle import errors

_DEFINES = {bool: flags.DEFINE_bool, int: flags.DEFINE_integer,
            float: flags.DEFINE_float, str: flags.DEFINE_string,
            tuple: flags.DEFINE_list}


def fields(config_class, group=None):
    """`{name: (field, default in config_class)}` of every field, a group's
    fields in place of the group; None for a field without a default."""
    found = {}
    for field in dataclasses.fields(config_class):
        default = getattr(group, field.name) if group else field.default
        default = None if default is dataclasses.MISSING else default
        if dataclasses.is_dataclass(field.type):
            found.update(fields(field.type, default))
        else:
            found[field.name] = field, default
    return found


def define(config_class, name, module_name, flag_values=flags.FLAGS,
           help_text=None, default=dataclasses.MISSING):
    """Defines the flag of field `name` as a key flag of `module_name`
    with the field's default and help (other fields' `` `names` `` as
    `--names`) unless given; returns its `FlagHolder`."""
    field, field_default = fields(config_class)[name]
    default = field_default if default is dataclasses.MISSING else default
    return _DEFINES[typing.get_origin(field.type) or field.type](
        name, list(map(str, default)) if isinstance(default, tuple)
        else default,
        help_text or re.sub(r"`([a-z_][a-z0-9_]*)`", r"--\1",
                            field.metadata["help"]),
        flag_values=flag_values,
        module_name=sys.argv[0] if module_name == "__main__" else module_name)


def build(config_class, values, group=None):
    """A `config_class` from flag values by field name; a value left out
    or None keeps the default (`group`'s fields', for a group).

    Raises:
        errors.ArgumentError: If a value is bad, naming it.
    """
    given = {}
    for field in dataclasses.fields(config_class):
        value = values.get(field.name)
        if dataclasses.is_dataclass(field.type):
            given[field.name] = build(field.type, values, field.default)
        elif value is not None or field.default is dataclasses.MISSING:
            given[field.name] = _typed(field, value)
    return dataclasses.replace(group, **given) if group else config_class(
        **given)


def _typed(field, value):
    """A list flag's strings as the tuple field's element type."""
    if value is None or typing.get_origin(field.type) is not tuple:
        return value
    element = typing.get_args(field.type)[0]
    try:
        return tuple(element(v) for v in value)
    except ValueError as e:
        raise errors.ArgumentError(
            f"{{{field.name}}} takes {element.__name__} values. Received: "
            f"{{{field.name}:value}}={','.join(value)}", (field.name,)) from e
