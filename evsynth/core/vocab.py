"""Controlled vocabularies (package data): canonical names, labels and synonyms."""

from __future__ import annotations

import difflib
import re
from typing import Any

# Which vocabulary a schema field draws from, by the field's name.
FIELD_VOCABULARY = {
    "category": "interventions",
    "agents": "embolics",
    "drug": "drugs",
    "mixed_with": "drugs",
    "primary": "primaries",
    "site": "sites",
    "sites": "sites",
}


def fold(term: str) -> str:
    """How terms are compared: without case, spaces, hyphens or underscores."""
    return re.sub(r"[\s_\-]+", "", term.casefold())


class Vocabulary:
    def __init__(self, name: str, terms: dict[str, dict[str, Any]]):
        self.name, self.terms = name, terms
        self.index: dict[str, str] = {}
        for canonical in terms:
            self.index[fold(canonical)] = canonical
        for canonical, entry in terms.items():
            for syn in entry.get("synonyms") or []:
                self.index.setdefault(fold(str(syn)), canonical)

    def canonical(self, term: str) -> str | None:
        """The canonical name for a term or synonym, or None when unknown."""
        return self.index.get(fold(term))

    def suggest(self, term: str) -> list[str]:
        folded = difflib.get_close_matches(fold(term), list(self.index), n=3, cutoff=0.6)
        return sorted({self.index[f] for f in folded})

    def label(self, canonical: str) -> str:
        return str(self.terms.get(canonical, {}).get("label", canonical))


class Vocabularies:
    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self._vocabs = {
            name: Vocabulary(name, raw[name]) for name in ("interventions", "embolics", "drugs", "primaries", "sites")
        }

    def get(self, name: str) -> Vocabulary:
        return self._vocabs[name]

    @property
    def groups(self) -> dict[str, str]:
        return dict(self.raw["intervention_groups"])

    def group_of(self, category: str) -> str:
        return str(self.raw["interventions"][category]["group"])

    def region_of(self, site: str) -> str:
        return str(self.raw["site_regions"].get(site, "other"))

    def site_covers(self, summary_site: str, row_site: str) -> bool:
        """Whether a patient row's site counts towards a summary site (spine covers lumbar-spine)."""
        return summary_site == row_site or summary_site in self.raw.get("site_within", {}).get(row_site, [])
