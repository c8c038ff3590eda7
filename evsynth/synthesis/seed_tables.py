"""The seed paper's tables (Chiras 2004's Tables 2, 3 and 4 today) regenerated from the studies' own
readings, for the cell-by-cell comparison."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from evsynth.core.model import Study, Value
from evsynth.core.records import Duration, Primary, Record, Stats
from evsynth.core.vocab import Vocabularies
from evsynth.load.vocabulary import load_vocabularies
from evsynth.synthesis.tables import DASH, NR, duration_text, fmt


def _table_readings(study: Study, section: str, where: str, source: str) -> list[Any]:
    return [
        r
        for r in getattr(study, section)
        if r.source.report.citation == source
        and where in ((r.source.where or "") + " " + (r.source.report.where or ""))
    ]


def _first(readings: Iterable[Record], key: str) -> Any:
    """The first non-empty `key` of the readings (None or an empty list when none gives it)."""
    for r in readings:
        v = getattr(r, key)
        if v:
            return v
    return None


def _range(d: Stats | Duration | None) -> str:
    if not d:
        return NR
    lo, hi = d.min, d.max
    if lo is not None and hi is not None:
        return f"{fmt(lo.value)}{DASH}{fmt(hi.value)}"
    return fmt(d.value.value) if d.value is not None else NR


def seed_table2(study: Study, source: str, vocab: Vocabularies | None = None) -> pd.DataFrame:
    """Table 2 (primary cancers) regenerated: counts from the Table 1 rows where they can tell,
    the printed Table 2 where they cannot (solitary or multiple)."""
    vocab = vocab or load_vocabularies()
    assert study.patients_table is not None
    rows = study.patients_table.rows
    printed: dict[str, Primary] = {
        p.primary: p for p in _first(_table_readings(study, "population", "Table 2", source), "primaries") or []
    }
    order = list(printed) + sorted({r.primary for r in rows if r.primary is not None} - set(printed))
    out = []
    for prim in order:
        mine = [r for r in rows if r.primary == prim]
        p = printed.get(prim)

        def count(site: str) -> int:
            return sum(1 for r in mine if any(vocab.site_covers(site, s) for s in r.sites))  # noqa: B023 (used at once, inside the loop)

        other = sum(
            1 for r in mine if not any(vocab.site_covers(s2, s) for s in r.sites for s2 in ("spine", "iliac-sacrum"))
        )
        out.append(
            {
                "Primary cancer": vocab.get("primaries").label(prim),
                "Number": len(mine),
                "Solitary": _value(p.solitary if p else None),
                "Multiple": _value(p.multiple if p else None),
                "Spine": count("spine"),
                "Iliac/sacrum": count("iliac-sacrum"),
                "Other": other,
                "primary": prim,
            }
        )
    frame = pd.DataFrame(
        out, columns=["Primary cancer", "Number", "Solitary", "Multiple", "Spine", "Iliac/sacrum", "Other", "primary"]
    )
    for col in ("Solitary", "Multiple"):
        frame[col] = frame[col].astype("Int64")
    return frame


def printed_table2(study: Study, source: str) -> dict[tuple[str, str], int]:
    """The printed Table 2 cells, keyed (primary, column), for the cell-by-cell comparison."""
    cells = {}
    for p in _first(_table_readings(study, "population", "Table 2", source), "primaries") or []:
        for v, col in ((p.n, "Number"), (p.solitary, "Solitary"), (p.multiple, "Multiple")):
            if v is not None:
                cells[(p.primary, col)] = int(v.value)
        for s in p.sites:
            col = {"spine": "Spine", "iliac-sacrum": "Iliac/sacrum"}.get(s.site, "Other")
            if s.n is not None:
                cells[(p.primary, col)] = int(s.n.value)
    return cells


TABLE3_COLUMNS = [
    "Author",
    "Year",
    "study",
    "Total number of cases",
    "Palliative bone embolization",
    "Duration of pain relief",
    "Mean survival time",
]


TABLE4_COLUMNS = [
    "Literature",
    "study",
    "Number of patients",
    "Patients with bone metastases",
    "Age (years)",
    "Duration of follow-up (months)",
    "Number of infusions",
    "Duration of pain relief (months)",
    "Radiological response (evaluable)",
]


def _value(v: Any) -> Any:
    """A printed number's value, or None when the reading does not give it."""
    return v.value if isinstance(v, Value) else None


def seed_table3(studies: list[Study], source: str) -> pd.DataFrame:
    """Table 3 (palliative embolization series) from the studies' Table 3 readings."""
    out = []
    for s in studies:
        pops = _table_readings(s, "population", "Table 3", source)
        if not pops:
            continue
        durs = _table_readings(s, "durations", "Table 3", source)
        relief = next((d for d in durs if d.kind == "pain-relief"), None)
        surv = next((d for d in durs if d.kind == "survival"), None)
        out.append(
            {
                "Author": s.label.rsplit(" ", 1)[0],
                "Year": s.year,
                "study": s.id,
                "Total number of cases": _value(_first(pops, "patients")),
                "Palliative bone embolization": _value(_first(pops, "palliative")),
                "Duration of pain relief": duration_text(relief) + ("?" if relief.ambiguous else "") if relief else "",
                "Mean survival time": duration_text(surv, words=False) if surv else "",
            }
        )
    frame = pd.DataFrame(out, columns=TABLE3_COLUMNS)
    return frame.sort_values(["Year", "Author"], kind="stable").reset_index(drop=True)


def seed_table4(studies: list[Study], source: str) -> pd.DataFrame:
    """Table 4 (chemoembolization series) from the studies' Table 4 readings."""
    out = []
    for s in studies:
        pops = _table_readings(s, "population", "Table 4", source)
        if not pops:
            continue
        durs = _table_readings(s, "durations", "Table 4", source)
        procs = _table_readings(s, "procedures", "Table 4", source)
        resp = _table_readings(s, "responses", "Table 4", source)
        rr = resp[0].responders if resp else None
        cited = pops[0].source.report.cited_as
        out.append(
            {
                "Literature": cited or f"{s.label.rsplit(' ', 1)[0]} ({s.year})",
                "study": s.id,
                "Number of patients": _value(_first(pops, "patients")),
                "Patients with bone metastases": _value(_first(pops, "bone_metastases")),
                "Age (years)": _range(_first(pops, "age")),
                "Duration of follow-up (months)": _range(next((d for d in durs if d.kind == "follow-up"), None)),
                "Number of infusions": _range(_first(procs, "per_patient")),
                "Duration of pain relief (months)": _range(next((d for d in durs if d.kind == "pain-relief"), None)),
                "Radiological response (evaluable)": (
                    rr.printed if rr and rr.printed is not None else f"{_value(rr.n)}/{_value(rr.of)}" if rr else ""
                ),
            }
        )
    return pd.DataFrame(out, columns=TABLE4_COLUMNS)
