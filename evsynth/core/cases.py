"""The typed record of a patient the paper describes individually (a figure legend, a case in the text),
and the section-to-record table of every reading section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from evsynth.core.records import Complication, Duration, Population, Procedures, Record, Response, Score, Span
from evsynth.core.values import Value


@dataclass(frozen=True, kw_only=True)
class Case(Record):
    """One described patient, as printed where it is described; `row` is the patient row the paper
    itself links it to (never a guess: the data-quality rules look for the matching row)."""

    SECTION: ClassVar[str] = "cases"
    name: str
    row: int | None = None
    age: Value | None = None
    sex: str | None = None
    primary: str | None = None
    sites: tuple[str, ...] = ()
    levels: str | None = None
    sessions: Value | None = None
    follow_up: Span | None = None
    outcome: str | None = None


SECTION_RECORDS: dict[str, type[Record]] = {
    c.SECTION: c for c in (Population, Procedures, Response, Score, Duration, Complication, Case)
}
