"""Typed records of a validated study, built by a schema-guided walk of the raw data.

Every number becomes a `Value` that knows its report, where it was printed, its
qualifiers and the line it was written on. Vocabulary terms become canonical names.
Later stages use these records and never re-check them.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from evsynth.core.cases import SECTION_RECORDS, Case
from evsynth.core.document import Document, Path
from evsynth.core.records import (
    Complication,
    Design,
    Duration,
    Extraction,
    Indirectness,
    Intervention,
    PatientsTable,
    Population,
    Procedures,
    Record,
    Response,
    Score,
)
from evsynth.core.schema import study_schema
from evsynth.core.values import MONTHS_PER_UNIT, Report, Source, Value, iter_values, months
from evsynth.core.vocab import FIELD_VOCABULARY, Vocabularies

__all__ = ["MONTHS_PER_UNIT", "Report", "Source", "Study", "Value", "build_study", "iter_values", "months"]

QUANTITY_DEFS = {"count", "number", "nonneg", "percent", "age"}
READING_SECTIONS = ("population", "procedures", "responses", "scores", "durations", "complications", "cases")
R = TypeVar("R")


@dataclass
class Study:
    id: str
    path: str
    label: str
    citation: str
    reports: dict[str, Report]
    extraction: Extraction
    design: Design
    intervention: Intervention
    category: str
    group: str
    population: list[Population] = field(default_factory=list)
    procedures: list[Procedures] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    complications: list[Complication] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    patients_table: PatientsTable | None = None
    not_reported: list[str] = field(default_factory=list)
    notes: str | None = None
    year: int | None = None
    indirectness: tuple[Indirectness, ...] = ()

    @property
    def citations(self) -> list[str]:
        return sorted({r.citation for r in self.reports.values()})

    def readings(self) -> Iterator[Record]:
        """Every section record, in file order of the sections."""
        yield self.design
        yield self.intervention
        for section in READING_SECTIONS:
            yield from getattr(self, section)
        if self.patients_table:
            yield self.patients_table

    def values(self) -> Iterator[Value]:
        """Every number of the study, in the order it was written."""
        for r in self.readings():
            yield from iter_values(r.tree)


_SCHEMA = study_schema()


def _year(label: str) -> int | None:
    tail = label.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]


@functools.cache
def _shape(hint: Any) -> tuple[Any, type | None]:
    """What a field's type asks of its value, worked out once per type: (the item type of a tuple, the
    record a mapping becomes); (None, None): the value as it is."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        return args[0], None
    if origin in (typing.Union, types.UnionType):
        hint = next((a for a in args if dataclasses.is_dataclass(a)), None)
    return None, hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


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

    def reading(self, cls: type[R], index: int, raw: dict[str, Any], schema: dict[str, Any], path: Path) -> R:
        src = self.source(raw["source"])
        tree = self.walk(raw, schema, path, src)
        return self.record(cls, tree, src, line=self.doc.pos(path)[0], index=index, tree=tree)

    def record(self, cls: type[R], node: Mapping[str, Any], src: Source | None, **extra: Any) -> R:
        """A record of type `cls` from a walked node: nested parts become their records."""
        hints = _hints(cls)  # type: ignore[arg-type]
        kwargs = dict(extra)
        for name in _field_names(cls):  # type: ignore[arg-type]
            if name in kwargs or name not in node:
                continue
            raw = node[name]
            if name == "source":
                kwargs["source"] = self.source(raw)
            else:
                kwargs[name] = self.convert(hints[name], raw)
        if "source" in hints and "source" not in kwargs and src is not None:
            kwargs["source"] = src if issubclass(cls, Record) else None
        return cls(**kwargs)

    def convert(self, hint: Any, raw: Any) -> Any:
        item, record = _shape(hint)
        if item is not None:
            return tuple(self.convert(item, x) for x in raw)
        if record is not None and isinstance(raw, dict):
            return self.record(record, raw, None)
        return raw

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
                inferred=node.get("inferred"),
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
            r.get("address"),
            bool(r.get("partial", False)),
            doc.pos(("reports", rid))[0],
        )
        for rid, r in data["reports"].items()
    }
    b = Builder(doc, reports, vocab)
    intervention = b.reading(Intervention, 0, data["intervention"], props["intervention"], ("intervention",))
    study = Study(
        id=data["id"],
        path=doc.path,
        label=data.get("label") or citation_labels.get(data["citation"], data["id"]),
        citation=data["citation"],
        reports=reports,
        extraction=b.record(Extraction, data["extraction"], None, tree=data["extraction"]),
        design=b.reading(Design, 0, data["design"], props["design"], ("design",)),
        intervention=intervention,
        category=intervention.category,
        group=vocab.group_of(intervention.category),
        not_reported=list(data.get("not_reported", [])),
        indirectness=tuple(Indirectness(str(i["domain"]), str(i["reason"])) for i in data.get("indirectness", [])),
        notes=data.get("notes"),
        year=_year(citation_labels.get(data["citation"], "")),
    )
    for section in READING_SECTIONS:
        cls = SECTION_RECORDS[section]
        item_schema = props[section]["items"]
        setattr(
            study,
            section,
            [b.reading(cls, i, raw, item_schema, (section, i)) for i, raw in enumerate(data.get(section, []))],
        )
    if "patients_table" in data:
        study.patients_table = b.reading(
            PatientsTable, 0, data["patients_table"], props["patients_table"], ("patients_table",)
        )
    return study
