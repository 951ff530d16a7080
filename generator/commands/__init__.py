"""One module per verb of the ``cluster-kb`` command."""

from types import ModuleType

from . import validate

COMMANDS: list[ModuleType] = [validate]
