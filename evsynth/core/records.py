"""Typed, frozen records of a study's sections, down to every nested part.

Every number is a `Value` or None (None = not reported). Each section record keeps its
`source`, the `line` it starts on, its `index` in the section and `tree`: the validated data
as written (key order preserved), for the downloads and the generic walks of the data-quality
rules. Everything else reads attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from evsynth.core.values import Source, Value

# ---- shared parts -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimePoint:
    value: float
    unit: str


@dataclass(frozen=True)
class Stats:
    value: Value | None = None
    mean: Value | None = None
    sd: Value | None = None
    median: Value | None = None
    min: Value | None = None
    max: Value | None = None
    note: str | None = None
    printed: str | None = None


@dataclass(frozen=True)
class Span:
    """A duration: a single value, a centre and/or a range, in `unit` (each Value may override it)."""

    value: Value | None = None
    mean: Value | None = None
    sd: Value | None = None
    median: Value | None = None
    min: Value | None = None
    max: Value | None = None
    unit: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Proportion:
    n: Value | None = None
    of: Value | None = None
    percent: Value | None = None
    printed: str | None = None


@dataclass(frozen=True, kw_only=True)
class Record:
    """One record of a section, from one report."""

    SECTION: ClassVar[str] = ""
    source: Source
    line: int
    index: int = 0
    tree: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    note: str | None = None
    ambiguous: str | None = None

    @property
    def section(self) -> str:
        return self.SECTION


# ---- design and extraction ----------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    status: str
    by: str
    date: str
    checked_by: str | None = None
    notes: str | None = None
    tree: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Period:
    start: str | int | None = None
    end: str | int | None = None


@dataclass(frozen=True, kw_only=True)
class Design(Record):
    SECTION: ClassVar[str] = "design"
    type: str
    period: Period | None = None
    centres: tuple[str, ...] = ()
    consecutive: bool | None = None


# ---- population and patient rows ----------------------------------------------------------


@dataclass(frozen=True)
class Site:
    site: str
    n: Value | None = None
    levels: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Primary:
    primary: str
    n: Value | None = None
    solitary: Value | None = None
    multiple: Value | None = None
    sites: tuple[Site, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Sex:
    male: Value | None = None
    female: Value | None = None


@dataclass(frozen=True)
class Metastases:
    solitary: Value | None = None
    multiple: Value | None = None
    sites: Value | None = None


@dataclass(frozen=True)
class Characteristic:
    label: str
    n: Value | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Population(Record):
    SECTION: ClassVar[str] = "population"
    patients: Value | None = None
    palliative: Value | None = None
    bone_metastases: Value | None = None
    lesions: Value | None = None
    vertebrae: Value | None = None
    age: Stats | None = None
    sex: Sex | None = None
    metastases: Metastases | None = None
    sites: tuple[Site, ...] = ()
    primaries: tuple[Primary, ...] = ()
    characteristics: tuple[Characteristic, ...] = ()


@dataclass(frozen=True)
class PatientRow:
    no: int
    sex: str | None = None
    age: int | None = None
    primary: str | None = None
    location: str | None = None
    sites: tuple[str, ...] = ()
    levels: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class PatientsTable(Record):
    SECTION: ClassVar[str] = "patients_table"
    rows: tuple[PatientRow, ...] = ()


# ---- intervention and procedures ----------------------------------------------------------


@dataclass(frozen=True)
class Embolic:
    agents: tuple[str, ...] = ()
    size_um: Stats | None = None
    form: str | None = None
    mixed_with: tuple[str, ...] = ()
    patients: Value | None = None
    vertebrae: Value | None = None
    procedures: Value | None = None
    source: Source | None = None
    note: str | None = None


@dataclass(frozen=True)
class Dose:
    unit: str
    value: Value | None = None
    min: Value | None = None
    max: Value | None = None
    mean: Value | None = None


@dataclass(frozen=True)
class Drug:
    drug: str
    role: str | None = None
    route: str | None = None
    form: str | None = None
    dose: Dose | None = None
    per: str | None = None
    condition: str | None = None
    source: Source | None = None
    note: str | None = None
    case: str | None = None
    printed_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Volume:
    label: str
    mean: Value | None = None
    sd: Value | None = None
    min: Value | None = None
    max: Value | None = None


@dataclass(frozen=True)
class Cement:
    material: str | None = None
    volumes: tuple[Volume, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Group:
    label: str
    patients: Value | None = None
    vertebrae: Value | None = None
    procedures: Value | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Intervention(Record):
    SECTION: ClassVar[str] = "intervention"
    category: str
    description: str | None = None
    sequence: str | None = None
    access: str | None = None
    anaesthesia: str | None = None
    embolics: tuple[Embolic, ...] = ()
    drugs: tuple[Drug, ...] = ()
    breakdown: tuple[Group, ...] = ()
    aims: tuple[Group, ...] = ()
    cement: Cement | None = None


@dataclass(frozen=True, kw_only=True)
class Procedures(Record):
    SECTION: ClassVar[str] = "procedures"
    total: Value | None = None
    per_patient: Stats | None = None
    planned: str | None = None
    planned_per_patient: Stats | None = None
    interval: Span | None = None
    arteries_per_procedure: Stats | None = None


# ---- outcomes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    name: str
    definition: str | None = None
    n: Value | None = None
    percent: Value | None = None
    response: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class Analysed:
    """The population an outcome was analysed in, when not the whole series."""

    label: str
    n: Value | None = None
    note: str | None = None


@dataclass(frozen=True)
class Indirectness:
    """One way a study or an outcome differs from the question."""

    domain: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Response(Record):
    SECTION: ClassVar[str] = "responses"
    kind: str
    label: str | None = None
    definition: str | None = None
    criterion: str | None = None
    time_point: TimePoint | str | None = None
    timing: str | None = None
    per: str | None = None
    evaluated: Proportion | None = None
    responders: Proportion | None = None
    categories: tuple[Category, ...] = ()
    exhaustive: bool | None = None
    p_value: str | None = None
    analysed: Analysed | None = None
    indirectness: tuple[Indirectness, ...] = ()


@dataclass(frozen=True)
class Change:
    mean: Value | None = None
    sd: Value | None = None


@dataclass(frozen=True)
class Point:
    time_point: TimePoint | str | None = None
    n: Value | None = None
    mean: Value | None = None
    sd: Value | None = None
    median: Value | None = None
    se: Value | None = None
    q1: Value | None = None
    q3: Value | None = None
    min: Value | None = None
    max: Value | None = None
    change: Change | None = None
    note: str | None = None


@dataclass(frozen=True)
class ScaleRange:
    min: float | None = None
    max: float | None = None
    better: str | None = None
    integer: bool = False


@dataclass(frozen=True, kw_only=True)
class Score(Record):
    SECTION: ClassVar[str] = "scores"
    domain: str
    scale: str
    label: str | None = None
    scale_range: ScaleRange | None = None
    n: Value | None = None
    points: tuple[Point, ...] = ()
    p_value: str | None = None
    analysed: Analysed | None = None
    indirectness: tuple[Indirectness, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Duration(Record):
    SECTION: ClassVar[str] = "durations"
    kind: str
    label: str | None = None
    value: Value | None = None
    mean: Value | None = None
    sd: Value | None = None
    median: Value | None = None
    min: Value | None = None
    max: Value | None = None
    unit: str | None = None
    alive: Proportion | None = None


@dataclass(frozen=True, kw_only=True)
class Complication(Record):
    SECTION: ClassVar[str] = "complications"
    event: str
    n: Value | None = None
    of: Value | None = None
    percent: Value | None = None
    per: str | None = None
    severity: str | None = None
    outcome: str | None = None
    duration: Span | None = None

    @property
    def seriousness(self) -> str:
        """'serious', 'minor' or 'not stated', from the severity the paper gives."""
        if self.severity in ("major", "severe"):
            return "serious"
        return "minor" if self.severity in ("minor", "not-severe") else "not stated"
