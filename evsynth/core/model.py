"""Typed records of a validated study, built by a schema-guided walk of the raw data.

Every number becomes a `Value` that knows its report, where it was printed, its
qualifiers and the line it was written on. Vocabulary terms become canonical names.
Later stages use these records and never re-check them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evsynth.core.document import Document, Path
from evsynth.core.schema import study_schema
from evsynth.core.vocab import FIELD_VOCABULARY, Vocabularies

QUANTITY_DEFS = {"count", "number", "nonneg", "percent", "age"}
MONTHS_PER_UNIT = {
    "hours": 12 / 365.25 / 24,
    "days": 12 / 365.25,
    "weeks": 7 * 12 / 365.25,
    "months": 1.0,
    "years": 12.0,
}
READING_SECTIONS = ("population", "procedures", "responses", "scores", "durations", "complications")


@dataclass(frozen=True)
class Report:
    id: str
    citation: str
    kind: str
    where: str | None = None
    note: str | None = None
    citation_label: str = ""
    cited_as: str | None = None

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

    @property
    def locator(self) -> str:
        """Report and place, for provenance tooltips and the discrepancy report."""
        label = self.source.report.label
        where = self.where or self.source.where
        return f"{label} ({where})" if where and where != self.source.report.where else label

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class Reading:
    """One record of a section (a population, a response, a duration...) from one report."""

    section: str
    index: int
    source: Source
    data: dict[str, Any]
    line: int

    def get(self, *keys: str) -> Any:
        node: Any = self.data
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                return None
            node = node[k]
        return node


@dataclass
class Study:
    id: str
    path: str
    label: str
    citation: str
    reports: dict[str, Report]
    extraction: dict[str, Any]
    design: Reading
    intervention: Reading
    category: str
    group: str
    population: list[Reading] = field(default_factory=list)
    procedures: list[Reading] = field(default_factory=list)
    responses: list[Reading] = field(default_factory=list)
    scores: list[Reading] = field(default_factory=list)
    durations: list[Reading] = field(default_factory=list)
    complications: list[Reading] = field(default_factory=list)
    patients_table: Reading | None = None
    not_reported: list[str] = field(default_factory=list)
    notes: str | None = None
    year: int | None = None

    @property
    def citations(self) -> list[str]:
        return sorted({r.citation for r in self.reports.values()})

    def readings(self) -> Iterator[Reading]:
        yield self.design
        yield self.intervention
        for section in READING_SECTIONS:
            yield from getattr(self, section)
        if self.patients_table:
            yield self.patients_table

    def values(self) -> Iterator[Value]:
        for r in self.readings():
            yield from iter_values(r.data)


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


_SCHEMA = study_schema()


def _year(label: str) -> int | None:
    tail = label.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _resolve(schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    ref = schema.get("$ref")
    if not ref:
        return schema, None
    name = ref.rsplit("/", 1)[-1]
    return _SCHEMA["$defs"][name], name


class Builder:
    """Turns a schema-valid document into typed readings (numbers -> Values, terms -> canonical)."""

    def __init__(self, doc: Document, reports: dict[str, Report], vocab: Vocabularies):
        self.doc, self.reports, self.vocab = doc, reports, vocab

    def source(self, raw: dict[str, Any]) -> Source:
        return Source(self.reports[raw["report"]], raw.get("where"))

    def reading(self, section: str, index: int, raw: dict[str, Any], schema: dict[str, Any], path: Path) -> Reading:
        src = self.source(raw["source"])
        data = self.walk(raw, schema, path, src)
        return Reading(section, index, src, data, self.doc.pos(path)[0])

    def walk(self, node: Any, schema: dict[str, Any], path: Path, src: Source, key: str = "") -> Any:
        schema, defname = _resolve(schema)
        if defname in QUANTITY_DEFS:
            return self.value(node, path, src)
        if defname == "source":
            return node
        if isinstance(node, dict):
            if "source" in node and path and isinstance(node["source"], dict):
                src = self.source(node["source"])
            props = schema.get("properties", {})
            return {k: self.walk(v, props.get(k, {}), path + (k,), src, k) for k, v in node.items()}
        if isinstance(node, list):
            return [self.walk(v, schema.get("items", {}), path + (i,), src, key) for i, v in enumerate(node)]
        if isinstance(node, str) and key in FIELD_VOCABULARY:
            return self.vocab.get(FIELD_VOCABULARY[key]).canonical(node) or node
        return node

    def value(self, node: Any, path: Path, src: Source) -> Value:
        line, col = self.doc.pos(path)
        if isinstance(node, dict):
            return Value(
                node["value"],
                src,
                line,
                col,
                path,
                node.get("where"),
                node.get("note"),
                node.get("ambiguous"),
                node.get("printed"),
                node.get("unit"),
            )
        return Value(node, src, line, col, path)


def build_study(doc: Document, vocab: Vocabularies, citation_labels: dict[str, str]) -> Study:
    """A typed Study from a document that passed the schema and the reference checks."""
    data = doc.data
    props = _SCHEMA["properties"]
    reports = {
        rid: Report(
            rid,
            r["citation"],
            r["kind"],
            r.get("where"),
            r.get("note"),
            citation_labels.get(r["citation"], r["citation"]),
            r.get("cited_as"),
        )
        for rid, r in data["reports"].items()
    }
    b = Builder(doc, reports, vocab)
    intervention = b.reading("intervention", 0, data["intervention"], props["intervention"], ("intervention",))
    category = intervention.data["category"]
    study = Study(
        id=data["id"],
        path=doc.path,
        label=data.get("label") or citation_labels.get(data["citation"], data["id"]),
        citation=data["citation"],
        reports=reports,
        extraction=data["extraction"],
        design=b.reading("design", 0, data["design"], props["design"], ("design",)),
        intervention=intervention,
        category=category,
        group=vocab.group_of(category),
        not_reported=list(data.get("not_reported", [])),
        notes=data.get("notes"),
        year=_year(citation_labels.get(data["citation"], "")),
    )
    for section in READING_SECTIONS:
        item_schema = props[section]["items"]
        setattr(
            study,
            section,
            [b.reading(section, i, raw, item_schema, (section, i)) for i, raw in enumerate(data.get(section, []))],
        )
    if "patients_table" in data:
        study.patients_table = b.reading(
            "patients_table", 0, data["patients_table"], props["patients_table"], ("patients_table",)
        )
    return study
