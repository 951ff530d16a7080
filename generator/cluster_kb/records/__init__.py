"""The records layer: strict YAML with positions, pydantic models, located problems.

:func:`cluster_kb.records.load.load_records` reads ``content/<kind>/<id>.yaml`` files, validates
each against its model and across records, and either returns every valid record or raises
:class:`~cluster_kb.records.problems.ValidationFailed` with every problem found in one run.
"""
