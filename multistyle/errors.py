"""Errors about arguments that name the arguments as data.

A library function names its arguments in its errors (`` `strength` ``);
a command-line tool calls them flags (`--strength`), the HTTP API fields.
`ArgumentError` keeps the names apart from the text, so each caller writes
them its own way instead of rewriting the message afterwards.

Example:

>>> error = ArgumentError("{strength} must be between 0 and 1. Received: "
...                       "{strength:value}=2", ("strength",))
>>> str(error)
'`strength` must be between 0 and 1. Received: strength=2'
>>> error.message(lambda name: f"--{name}")
'--strength must be between 0 and 1. Received: --strength=2'
"""


class ArgumentError(ValueError):
    """A bad argument (or arguments that do not go together).

    Args:
        template: The message, with a `{name}` field where it mentions an
            argument (`` `name` ``) and `{name:value}` where it shows the
            argument's value (`name=...`).
        arguments: The names of the arguments it is about, in its order.
    """

    def __init__(self, template, arguments):
        self.template = template
        self.arguments = tuple(arguments)
        super().__init__(self.message())

    def message(self, spell=None):
        """The message with each argument written as `spell(name)`."""
        return self.template.format_map(
            {name: _Name(name, spell) for name in self.arguments})


class MissingArgumentFileError(ArgumentError, FileNotFoundError):
    """An argument names a file, folder or preset that does not exist."""


class _Name:
    def __init__(self, name, spell):
        self.name, self.spell = name, spell

    def __format__(self, spec):
        if self.spell is not None:
            return self.spell(self.name)
        return self.name if spec == "value" else f"`{self.name}`"
