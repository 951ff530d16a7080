"""The knowledge layer: the index over every valid record, its queries and the matchmaking."""

from .base import KnowledgeBase, load_knowledge_base

__all__ = ["KnowledgeBase", "load_knowledge_base"]
