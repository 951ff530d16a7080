"""One module per verb of the ``cluster-kb`` command."""

from types import ModuleType

from . import synth, validate

COMMANDS: list[ModuleType] = [validate, synth]
