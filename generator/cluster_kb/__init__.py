"""cluster-kb: a knowledge base of cluster best practices, published as a static site.

The pipeline, one subpackage a stage::

    content/<kind>/<id>.yaml -> records   (strict YAML with positions, pydantic models, validation)
                             -> knowledge (index, backlinks, matchmaking)
                             -> site      (typed views per language -> HTML -> the MkDocs adapter)
                             -> outputs   (open data, JSON Schemas, record scaffolds)

``commands`` holds the ``cluster-kb`` verbs. Nothing outside ``site/mkdocs_plugin.py`` imports
MkDocs, and nothing outside ``commands`` imports argparse: both are thin callers of the core.
"""

from .kinds import KINDS, Kind
from .knowledge import KnowledgeBase, load_knowledge_base
from .records.load import load_records
from .records.problems import Problem, ValidationFailed
from .records.validation import Entry

__all__ = ["KINDS", "Entry", "Kind", "KnowledgeBase", "Problem", "ValidationFailed", "load_knowledge_base", "load_records"]
__version__ = "0.2.0"
