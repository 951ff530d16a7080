"""The kinds of record, declared once.

Each :class:`Kind` names everything the project needs to know about one kind of record: its model,
its folder under ``content/`` (which is also its URL section, ``/clusters/``), the nouns people
read, and the templates of its section page and its record page. Scanning, validation, the JSON
Schemas, the scaffold, the open-data export, the site's pages and navigation, the editor mapping
in ``.vscode/settings.json`` and the parametrised tests all read this table; adding a kind means a
model, a view, two templates and one entry here.

Words here are English source strings; the site translates them through its message catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records.models import Cluster, Edition, Principle, Record, Sector, Territory

__all__ = ["KINDS", "N_", "Kind", "kind", "resolve_kind"]


def N_(message: str) -> str:
    """Marks an English message for the translators (extracted by ``make i18n``); translated where shown."""
    return message


@dataclass(frozen=True)
class Kind:
    """One kind of record."""

    folder: str
    """Folder under ``content/`` and URL section of the site: ``clusters``."""
    model: type[Record]
    noun: str
    """One record, in running text: 'cluster'."""
    plural: str
    """Several records, in running text: 'clusters'."""
    title: str
    """The section's title (navigation, headings): 'Clusters'."""
    section_template: str
    """Template of the section page ``/<folder>/``."""
    record_template: str
    """Template of a record page ``/<folder>/<id>/``."""

    @property
    def schema_file(self) -> str:
        """``clusters.schema.json``."""
        return f"{self.folder}.schema.json"


KINDS: tuple[Kind, ...] = (
    Kind("editions", Edition, "edition", N_("editions"), N_("Editions"), "editions.html", "edition.html"),
    Kind("clusters", Cluster, "cluster", N_("clusters"), N_("Clusters"), "clusters.html", "cluster.html"),
    Kind("decalogue", Principle, "principle", N_("principles"), N_("Decalogue"), "decalogue.html", "principle.html"),
    Kind("territories", Territory, "territory", N_("territories"), N_("Territories"), "territories.html", "territory.html"),
    Kind("sectors", Sector, "sector", N_("sectors"), N_("Sectors"), "sectors.html", "sector.html"),
)
"""Every kind, in the order the site shows its sections."""

_BY_FOLDER = {k.folder: k for k in KINDS}
_BY_NAME = {**_BY_FOLDER, **{k.noun: k for k in KINDS}}

assert all(k.model.folder == k.folder for k in KINDS), "a model's folder and its kind's folder differ"


def kind(folder: str) -> Kind:
    """The kind whose folder is ``folder``; raises KeyError."""
    return _BY_FOLDER[folder]


def resolve_kind(text: str) -> Kind | None:
    """The kind a person means by ``text``: its folder (``clusters``) or its noun (``cluster``)."""
    return _BY_NAME.get(text.strip().lower())
