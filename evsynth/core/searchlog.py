"""The literature search log (`evidence/search/`): its columns, its fixed lists, its typed records.

The protocol (`evidence/search/protocol.md`) fixes the exclusion reasons and the intervention
groups; they are kept here once (a test checks the protocol lists exactly these codes).
"""

from __future__ import annotations

from dataclasses import dataclass

SEARCH_COLUMNS = ("search_id", "date", "source", "query", "records")
RECORD_COLUMNS = (
    "record_id",
    "search_id",
    "address",
    "title",
    "first_author",
    "year",
    "decision",
    "reason",
    "intervention_group",
    "note",
    "study",
)
DECISIONS = ("included", "excluded", "already-included")
INCLUDED = frozenset({"included", "already-included"})
# The protocol's exclusion reasons, in its order (the first that applies), with their meaning.
EXCLUSION_REASONS: dict[str, str] = {
    "duplicate": "another page of a paper already logged",
    "no-abstract": "no readable abstract or results",
    "review": "review, guideline or commentary",
    "case-report": "case report",
    "fewer-than-5": "fewer than 5 treated patients",
    "not-bone-metastases": "not bone or spinal metastases",
    "other-modality": "another treatment",
    "not-palliative": "not palliative (preoperative only)",
    "no-outcome": "none of the outcomes reported",
}
DUPLICATE = "duplicate"  # removed before screening, not excluded at screening
INTERVENTION_GROUPS = ("tae", "tace-tai", "pvp", "pvp-tai-tace")
# A search whose source starts with this is PRISMA 2020's "identification via other methods"
# (the project's source papers, their tables and reference lists), not a database search.
OTHER_METHODS = "other methods"


@dataclass(frozen=True)
class Search:
    id: str
    date: str  # YYYY-MM-DD
    source: str
    query: str
    records: int  # results the search returned, repeats included
    repeats: int  # results that were a page already logged (repeated-hits.txt)

    @property
    def other_methods(self) -> bool:
        return self.source.lower().startswith(OTHER_METHODS)


@dataclass(frozen=True)
class LogRecord:
    id: str
    search: str
    title: str
    decision: str
    reason: str  # an EXCLUSION_REASONS code for an excluded record, else ""
    group: str  # an INTERVENTION_GROUPS code or ""
    study: str  # the evidence file id the record became, or ""


@dataclass(frozen=True)
class SearchLog:
    """The validated log: every search (in file order) and every record."""

    searches: tuple[Search, ...]
    records: tuple[LogRecord, ...]

    @property
    def last_search(self) -> str | None:
        return max((s.date for s in self.searches), default=None)
