"""Rules over what a paper says about single patients and its own protocol: a described patient (a
figure legend, a case in the text) against the patient rows; a case's doses against the doses the
Methods state; the planned number of sessions against those given. Pure functions of a typed study;
`quality` runs them on every study. Nothing here names a study."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace

from evsynth.core.cases import Case
from evsynth.core.model import Study, Value
from evsynth.core.records import Drug, PatientRow, PatientsTable, Stats
from evsynth.validate.discrepancy import Discrepancy, _disc, _entry, _fmt

# --- a described patient against the patient rows ---------------------------------------


def _levels(text: str | None) -> str | None:
    return None if text is None else text.replace("–", "-").replace("—", "-").replace(" ", "").upper()


def differences(case: Case, row: PatientRow) -> list[tuple[str, str, str]]:
    """(field, as described, in the row) for every field both give and that differs."""
    pairs = [
        ("sex", case.sex, row.sex),
        ("age", _fmt(float(case.age)) if case.age is not None else None, str(row.age) if row.age else None),
        ("primary", case.primary, row.primary),
        ("levels", _levels(case.levels), _levels(row.levels)),
    ]
    out = [(f, str(a), str(b)) for f, a, b in pairs if a is not None and b is not None and a != b]
    if case.sites and row.sites and not set(case.sites) <= set(row.sites):
        out.append(("site", ", ".join(case.sites), ", ".join(row.sites)))
    return out


def _row_place(table: PatientsTable, row: PatientRow) -> str:
    return f"{table.source.label}, row {row.no}"


def _described(case: Case) -> str:
    where = case.levels or ", ".join(case.sites)
    parts = [case.sex and {"M": "man", "F": "woman"}[case.sex], case.primary and f"{case.primary} primary", where]
    age = f"aged {_fmt(float(case.age))}" if case.age is not None else None
    return ", ".join(p.replace("-", " ") for p in [parts[0], age, *parts[1:]] if p)


def _differs(
    study: Study, case: Case, table: PatientsTable, row: PatientRow, diff: list[tuple[str, str, str]]
) -> Discrepancy:
    said = "; ".join(f"{f} {a} where the row has {b}" for f, a, b in diff)
    age: list[tuple[str, Value | None, str]] = (
        [_entry(case.age)] if case.age is not None and any(f == "age" for f, _, _ in diff) else []
    )
    found = _disc(
        study,
        "described-patient-differs",
        f"described patient {case.name}",
        f"the patient described in {case.source.label} ({_described(case)}) is closest to row {row.no}, "
        f"but differs: {said}",
        *(age or [(_described(case), None, case.source.label)]),
        (f"row {row.no}: " + ", ".join(b for _, _, b in diff), None, _row_place(table, row)),
    )
    return replace(found, anchor=case.line)


def _unmatched(study: Study, case: Case, table: PatientsTable, near: list[PatientRow]) -> Discrepancy:
    close = f"; rows {', '.join(str(r.no) for r in near[:6])} differ in one detail" if near else ""
    found = _disc(
        study,
        "described-patient-unmatched",
        f"described patient {case.name}",
        f"the patient described in {case.source.label} ({_described(case)}) matches no row of "
        f"{table.source.label}{close}",
        (_described(case), case.age, case.source.label),
        (f"{len(table.rows)} rows", None, table.source.label),
    )
    return replace(found, anchor=case.line)


def described_patients(study: Study) -> Iterator[Discrepancy]:
    """A described patient matches a row when no detail differs; one row differing in one detail is
    named as the patient with that difference; otherwise the patient matches no row."""
    table = study.patients_table
    if table is None or not table.rows:
        return
    for case in study.cases:
        if case.row is not None:
            row = next((r for r in table.rows if r.no == case.row), None)
            diff = differences(case, row) if row else []
            if row is None:
                yield _unmatched(study, case, table, [])
            elif diff:
                yield _differs(study, case, table, row, diff)
            continue
        by_row = [(r, differences(case, r)) for r in table.rows]
        if any(not d for _, d in by_row):
            continue
        near = [(r, d) for r, d in by_row if len(d) == 1]
        if len(near) == 1:
            yield _differs(study, case, table, *near[0])
        else:
            yield _unmatched(study, case, table, [r for r, _ in near])


# --- a case's doses against the protocol's -----------------------------------------------


def _bounds(doses: list[Drug]) -> tuple[list[Value], float, float] | None:
    values = [v for d in doses if d.dose for v in (d.dose.value, d.dose.min, d.dose.max) if v is not None]
    return (values, min(map(float, values)), max(map(float, values))) if values else None


def _outside(
    study: Study,
    what: str,
    shown: str,
    used: list[Value],
    stated: tuple[list[Value], float, float],
    x: float,
    unit: str,
) -> Discrepancy:
    values, low, high = stated
    rng = f"{_fmt(low)} to {_fmt(high)} {unit}" if low != high else f"{_fmt(low)} {unit}"
    found = _disc(
        study,
        "dose-outside-protocol",
        what,
        f"{shown} {_fmt(x)} {unit}, outside the {rng} the protocol states",
        *(_entry(v) for v in used),
        *(_entry(v) for v in values),
    )
    return replace(found, anchor=used[0].line)


def case_doses(study: Study) -> Iterator[Discrepancy]:
    """Per-artery doses given to a described patient: each against the per-artery doses the protocol
    states, and their sum (the patient's arteries in one session) against the per-procedure range."""
    drugs = study.intervention.drugs
    cases: dict[tuple[str, str, str], list[Drug]] = defaultdict(list)
    for d in drugs:
        if d.case and d.per == "artery" and d.dose and d.dose.value is not None:
            cases[(d.case, d.drug, d.dose.unit)].append(d)
    for (name, drug, unit), given in cases.items():
        protocol = [d for d in drugs if not d.case and d.drug == drug and d.dose and d.dose.unit == unit]
        per_artery = _bounds([d for d in protocol if d.per == "artery"])
        per_session = _bounds([d for d in protocol if d.per == "procedure"])
        doses = [d.dose.value for d in given if d.dose and d.dose.value is not None]
        for v in doses:
            if per_artery and not per_artery[1] <= float(v) <= per_artery[2]:
                yield _outside(
                    study,
                    f"{drug} dose, {name}",
                    f"{drug} per artery given to {name.replace('-', ' ')}:",
                    [v],
                    per_artery,
                    float(v),
                    unit,
                )
        total = sum(map(float, doses))
        if per_session and len(doses) > 1 and not per_session[1] <= total <= per_session[2]:
            shown = f"{drug} given to {name.replace('-', ' ')} over {len(doses)} arteries adds up to"
            yield _outside(study, f"{drug} dose, {name}", shown, doses, per_session, total, unit)


# --- the planned number of sessions against those given --------------------------------


def _plan(study: Study) -> Iterator[tuple[Stats, str]]:
    for r in study.procedures:
        if r.planned_per_patient is not None:
            yield r.planned_per_patient, r.source.label


def _given(study: Study) -> Iterator[tuple[Value, str]]:
    for r in study.procedures:
        if r.per_patient is not None:
            for v in (r.per_patient.value, r.per_patient.min, r.per_patient.max):
                if v is not None:
                    yield v, "the procedures per patient printed include {}"
    for c in study.cases:
        if c.sessions is not None:
            yield c.sessions, f"the patient of the {c.source.where or c.name} had {{}} sessions"


def _planned(low: Value | None, high: Value | None) -> str:
    if high is None:
        return f"at least {_fmt(float(low))}" if low is not None else "some"
    if low is None:
        return f"at most {_fmt(float(high))}"
    return _fmt(float(low)) if float(low) == float(high) else f"{_fmt(float(low))} to {_fmt(float(high))}"


def protocol_delivered(study: Study) -> Iterator[Discrepancy]:
    """Sessions given outside the planned number: one finding per number given, with every place it is printed."""
    for plan, where in _plan(study):
        low, high = plan.min or plan.value, plan.max or plan.value
        off: dict[tuple[float, str], list[Value]] = defaultdict(list)
        for v, what in _given(study):
            if (low is not None and float(v) < float(low)) or (high is not None and float(v) > float(high)):
                off[(float(v), what)].append(v)
        stated = list({id(v): v for v in (low, high) if v is not None}.values())
        for (x, what), values in off.items():
            found = _disc(
                study,
                "protocol-not-delivered",
                "planned procedures per patient",
                f"the protocol plans {_planned(low, high)} procedures per patient ({where}), "
                f"but {what.format(_fmt(x))}",
                *(_entry(v) for v in stated),
                *(_entry(v) for v in values),
            )
            yield replace(found, anchor=values[0].line)


__all__ = ["case_doses", "described_patients", "differences", "protocol_delivered"]
