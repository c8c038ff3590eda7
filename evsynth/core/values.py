"""A number as printed (`Value`), the report it came from (`Report`, `Source`), durations in months."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from evsynth.core.document import Path

MONTHS_PER_UNIT = {
    "hours": 12 / 365.25 / 24,
    "days": 12 / 365.25,
    "weeks": 7 * 12 / 365.25,
    "months": 1.0,
    "years": 12.0,
}


@dataclass(frozen=True)
class Report:
    id: str
    citation: str
    kind: str
    where: str | None = None
    note: str | None = None
    citation_label: str = ""
    cited_as: str | None = None
    address: str | None = None
    partial: bool = False
    line: int = 0  # where the report is listed in the study file

    @property
    def label(self) -> str:
        """e.g. 'Chiras 2004, Table 4' or 'Barton 1996, abstract'."""
        what = self.where if self.kind.startswith("secondary") and self.where else self.kind.replace("-", " ")
        return f"{self.citation_label or self.citation}, {what}"


@dataclass(frozen=True)
class Source:
    report: Report
    where: str | None

    @property
    def label(self) -> str:
        if self.where and self.where != self.report.where:
            return f"{self.report.label} ({self.where})"
        return self.report.label


@dataclass(frozen=True)
class Value:
    """A number as printed, with where it came from."""

    value: int | float
    source: Source
    line: int
    column: int
    path: Path
    where: str | None = None
    note: str | None = None
    ambiguous: str | None = None
    printed: str | None = None
    unit: str | None = None
    derived: bool = False
    inferred: str | None = None  # why, when the number is not printed as such

    @property
    def locator(self) -> str:
        """Report and place, for provenance tooltips and the discrepancy report."""
        label = self.source.report.label
        where = self.where or self.source.where
        return f"{label} ({where})" if where and where != self.source.report.where else label

    def __float__(self) -> float:
        return float(self.value)


def iter_values(node: Any) -> Iterator[Value]:
    if isinstance(node, Value):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from iter_values(v)
    elif isinstance(node, list):
        for v in node:
            yield from iter_values(v)


def months(v: Value, default_unit: str | None) -> float:
    """A duration value in months (its own unit wins over the record's)."""
    unit = v.unit or default_unit or "months"
    return float(v.value) * MONTHS_PER_UNIT[unit]
