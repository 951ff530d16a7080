"""One module per verb of the ``cluster-kb`` command."""

from types import ModuleType

from . import build, linkcheck, match, new, schema, synth, validate

COMMANDS: list[ModuleType] = [validate, synth, schema, new, build, linkcheck, match]
