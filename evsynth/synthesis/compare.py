"""What changed in the evidence between two builds (a pull request's base and its head): numbers only.

Studies are matched by id and compared record by record, field by field (a number by its value and
how it was printed, never by its line); pooled results by outcome, intervention group, time window
and rule; data-quality findings, references to complete and problems by what they say, not by line.
The render stage words it (`render/diff.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evsynth.core.model import Study, Value
from evsynth.core.problems import Problem
from evsynth.load.files import Bibliography
from evsynth.synthesis.synthesize import Synthesis
from evsynth.validate.discrepancy import Discrepancy

PathKey = tuple[str | int, ...]
# Top-level parts of a study compared as a whole value; the sections are compared record by record.
STUDY_FIELDS = ("label", "citation", "category", "notes", "not_reported", "indirectness")
RECORDS = ("design", "intervention", "population", "procedures", "responses", "scores", "durations",
           "complications", "patients_table", "extraction")  # fmt: skip
REPORT_FIELDS = ("citation", "kind", "where", "note", "cited_as", "address", "partial")
# A pooled number changes when it moves by more than half the 0.1 (percentage) point the output shows.
TOLERANCE = 5e-4
NOT_FINDINGS = ("incomplete-citation",)  # listed with the references to complete, not with the problems


@dataclass(frozen=True)
class Side:
    """One build's evidence, as the comparison needs it."""

    syn: Synthesis
    problems: list[Problem]
    bib: Bibliography


@dataclass(frozen=True)
class FieldChange:
    """One field of a study: `old` or `new` is None when the field (or the whole record) is absent."""

    path: PathKey  # as in the study file: ("responses", 0, "responders", "n")
    old: Any
    new: Any


@dataclass(frozen=True)
class StudyChange:
    before: Study
    after: Study
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Estimate:
    estimate: float
    ci_low: float
    ci_high: float
    k: int


@dataclass(frozen=True)
class PooledChange:
    """A pooled analysis before and after (None: it did not exist on that side)."""

    outcome: str  # the outcome's title ("Pain relief"), or the score's domain and scale
    group: str  # the intervention group ("all": every group together)
    window: str  # the time window in words
    rule: str  # "main", "strict" (graded outcomes' sensitivity), "mean after" or "mean change"
    proportion: bool  # a proportion (0-1) rather than a score on its own scale
    before: Estimate | None
    after: Estimate | None


@dataclass(frozen=True)
class EvidenceDiff:
    added: list[Study] = field(default_factory=list)
    removed: list[Study] = field(default_factory=list)
    changed: list[StudyChange] = field(default_factory=list)
    pooled: list[PooledChange] = field(default_factory=list)
    new_discrepancies: list[Discrepancy] = field(default_factory=list)
    resolved_discrepancies: list[Discrepancy] = field(default_factory=list)
    new_incomplete: dict[str, str] = field(default_factory=dict)  # citation key -> what is missing
    completed: list[str] = field(default_factory=list)  # citation keys no longer marked incomplete
    new_problems: list[Problem] = field(default_factory=list)
    fixed_problems: list[Problem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f) for f in self.__dataclass_fields__)


def _value_key(v: Value) -> tuple[Any, ...]:
    return (v.value, v.unit, v.printed, v.where, v.note, v.ambiguous, v.inferred)


def _plain(x: Any) -> Any:
    """Records and Values as comparable trees (a Value stays itself: compared by `_value_key`)."""
    if hasattr(x, "tree") and getattr(x, "tree", None) is not None:
        return x.tree
    if isinstance(x, tuple) and x and hasattr(x[0], "__dataclass_fields__"):
        return [vars(i) for i in x]
    if isinstance(x, list) and all(isinstance(i, str) for i in x):  # `not_reported`: one value, in words
        return ", ".join(x) or None
    return list(x) if isinstance(x, tuple) else x


def tree_changes(path: PathKey, old: Any, new: Any) -> Iterator[FieldChange]:
    """Every leaf that differs between two trees of dicts, lists, Values and scalars."""
    if isinstance(old, Value) and isinstance(new, Value):
        if _value_key(old) != _value_key(new):
            yield FieldChange(path, old, new)
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            yield from tree_changes((*path, key), old.get(key), new.get(key))
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            yield from tree_changes((*path, i), old[i] if i < len(old) else None, new[i] if i < len(new) else None)
    elif type(old) is not type(new) or old != new:
        yield FieldChange(path, old, new)


def study_changes(before: Study, after: Study) -> tuple[FieldChange, ...]:
    found: list[FieldChange] = []
    for name in STUDY_FIELDS:
        found += tree_changes((name,), _plain(getattr(before, name)), _plain(getattr(after, name)))
    old_reports = {k: {f: getattr(r, f) for f in REPORT_FIELDS} for k, r in before.reports.items()}
    new_reports = {k: {f: getattr(r, f) for f in REPORT_FIELDS} for k, r in after.reports.items()}
    found += tree_changes(("reports",), old_reports, new_reports)
    for name in RECORDS:
        old, new = getattr(before, name), getattr(after, name)
        if isinstance(old, list) and isinstance(new, list):
            found += tree_changes((name,), [r.tree for r in old], [r.tree for r in new])
        else:
            found += tree_changes((name,), _plain(old), _plain(new))
    return tuple(found)


def _estimates(syn: Synthesis) -> dict[tuple[str, str, str, str], tuple[bool, Estimate]]:
    """Every pooled result by (outcome, group, window, rule)."""
    out: dict[tuple[str, str, str, str], tuple[bool, Estimate]] = {}
    for r in syn.pooled:
        for rule in ("main", "strict"):
            p = r["pooled" if rule == "main" else "strict"]
            if p is not None:
                key = (r["outcome_title"], r["group"], r["window_title"], rule)
                out[key] = (True, Estimate(p.estimate, p.ci_low, p.ci_high, p.k))
    for a in syn.scores:
        for rule, c in (("mean after", a.after), ("mean change", a.change)):
            if c is not None:
                key = (f"{a.domain} ({a.scale})", a.group, a.window_title, rule)
                out[key] = (False, Estimate(c.estimate, c.ci_low, c.ci_high, c.k))
    return out


def _moved(a: Estimate, b: Estimate, proportion: bool) -> bool:
    tol = TOLERANCE if proportion else TOLERANCE * 100  # a score: half the 0.1 the output shows
    return a.k != b.k or any(abs(x - y) > tol for x, y in zip(vars(a).values(), vars(b).values(), strict=True))


def pooled_changes(before: Synthesis, after: Synthesis) -> list[PooledChange]:
    old, new = _estimates(before), _estimates(after)
    out = []
    for key in dict.fromkeys([*new, *old]):
        a, b = old.get(key), new.get(key)
        proportion = (b or a or (True, None))[0]
        if a is None or b is None or _moved(a[1], b[1], proportion):
            out.append(PooledChange(*key, proportion, a[1] if a else None, b[1] if b else None))
    return out


def incomplete(bib: Bibliography) -> dict[str, str]:
    return {k: str(e.fields["x-incomplete"]) for k, e in bib.entries.items() if "x-incomplete" in e.fields}


def _problem_key(p: Problem) -> tuple[str, str, str, str]:
    return (p.path, p.code, p.message, p.severity)


def _findings(problems: list[Problem], discrepancies: list[Discrepancy]) -> dict[tuple[str, str, str, str], Problem]:
    """Problems other than the data-quality findings and the references to complete (listed on their own)."""
    skip = {_problem_key(d.as_problem()) for d in discrepancies}
    return {_problem_key(p): p for p in problems if p.code not in NOT_FINDINGS and _problem_key(p) not in skip}


def _new(before: dict[Any, Any], after: dict[Any, Any]) -> list[Any]:
    return [v for k, v in after.items() if k not in before]


def compare(before: Side, after: Side) -> EvidenceDiff:
    old = {s.id: s for s in before.syn.studies}
    new = {s.id: s for s in after.syn.studies}
    changed = [StudyChange(old[i], s, f) for i, s in new.items() if i in old and (f := study_changes(old[i], s))]
    old_d = {(d.study, d.code, d.message): d for d in before.syn.discrepancies}
    new_d = {(d.study, d.code, d.message): d for d in after.syn.discrepancies}
    old_i, new_i = incomplete(before.bib), incomplete(after.bib)
    old_p = _findings(before.problems, before.syn.discrepancies)
    new_p = _findings(after.problems, after.syn.discrepancies)
    return EvidenceDiff(
        added=[s for i, s in new.items() if i not in old],
        removed=[s for i, s in old.items() if i not in new],
        changed=changed,
        pooled=pooled_changes(before.syn, after.syn),
        new_discrepancies=_new(old_d, new_d),
        resolved_discrepancies=_new(new_d, old_d),
        new_incomplete={k: v for k, v in new_i.items() if old_i.get(k) != v},
        completed=[k for k in old_i if k not in new_i and k in after.bib.entries],
        new_problems=_new(old_p, new_p),
        fixed_problems=_new(new_p, old_p),
    )
