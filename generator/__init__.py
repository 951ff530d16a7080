"""cluster-kb: a knowledge base of cluster best practices, published as a static site.

The core (loading, models, the knowledge base, pages, rendering) imports neither MkDocs nor the
command-line framework; :mod:`generator.plugin` and :mod:`generator.cli` are thin callers of it.
"""

from .kb import Entry, KnowledgeBase, load_knowledge_base
from .problems import Problem, ValidationFailed

__all__ = ["Entry", "KnowledgeBase", "Problem", "ValidationFailed", "load_knowledge_base"]
__version__ = "0.1.0"
