"""What each data-quality finding changes, computed from the synthesis' own choices (part of stage 3).

A finding's values are numbers of the study files; the synthesis uses some of them. A finding is:
- "pooled" when one of its values is an input of a pooled or computed result: the responders and
  denominator of the reading `outcomes.choose_outcome` pools, the means, SDs and n of a pooled score
  (`scores`), the pain-relief duration that sets the intervention's relief range
  (`tables.relief_duration`);
- "descriptive" when its values are shown (study page, comparison table) but enter no computation;
- "none" when the finding is information: its values agree (`problems.INFORMATION_CODES`).
Nothing here names a study or a finding: the same rules run on any evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from evsynth.core.model import Study, Value
from evsynth.core.problems import INFORMATION_CODES
from evsynth.core.records import Point, Record, Response
from evsynth.core.values import iter_values
from evsynth.synthesis.outcomes import (
    NOT_STATED,
    POOLED_OUTCOMES,
    REPORT_ORDER,
    WINDOWS,
    Outcome,
    choose_outcome,
    counts,
)
from evsynth.synthesis.scores import ScoreAnalysis
from evsynth.synthesis.sensitivity import SECTIONS, Index, Sensitivity
from evsynth.synthesis.tables import relief_duration
from evsynth.validate.discrepancy import Discrepancy

SEVERITIES = ("pooled", "descriptive", "none")


@dataclass(frozen=True)
class Use:
    """How the synthesis uses one printed value."""

    what: str  # "pain relief, 1 to 6 months", "VAS, up to 1 month", "relief duration range"
    record: Record
    rule: str  # the rule that picked it
    key: tuple[str, str] | None = None  # (outcome kind, window) of a pooled response


@dataclass(frozen=True)
class Impact:
    finding: Discrepancy
    severity: str  # one of SEVERITIES
    used: tuple[str, Value, str] | None  # the finding's value the synthesis uses (shown, Value, provenance)
    uses: tuple[str, ...]  # what it enters ("pooled pain relief, 1 to 6 months")
    why: str  # why that value and not the other
    group: str | None  # the intervention group whose page shows the pooled number
    sensitivity: Sensitivity | None = None  # the number recomputed with the other reading

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)


def _response_values(o: Outcome) -> Iterator[Value]:
    r = o.reading
    resp, ev = r.responders, r.evaluated
    total = resp.of if resp and isinstance(resp.of, Value) else ev.n if ev else None
    if total is not None:
        yield total
    if o.how == "printed" and resp and resp.n is not None:
        yield resp.n
    elif o.how == "categories":
        yield from (c.n for c in r.categories if c.response and c.n is not None)
    elif o.how == "from percentage" and resp and isinstance(resp.percent, Value):
        yield resp.percent


def _point_values(p: Point) -> Iterator[Value]:
    for key in ("mean", "sd", "se", "median", "q1", "q3", "min", "max", "n"):
        v = getattr(p, key)
        if isinstance(v, Value):
            yield v


def value_uses(studies: list[Study], scores: list[ScoreAnalysis]) -> dict[int, Use]:
    """Every value an input of a pooled or computed result, by identity, with what it enters."""
    uses: dict[int, Use] = {}
    for s in studies:
        for kind, title in POOLED_OUTCOMES.items():
            for slug, words in (*((slug, words) for slug, words, _ in WINDOWS), NOT_STATED):
                o = choose_outcome(s, kind, slug)
                if o is not None and o.poolable:
                    use = Use(f"{title.lower()}, {words}", o.reading, "response", (kind, slug))
                    uses.update({id(v): use for v in _response_values(o)})
        relief = relief_duration(s)
        if relief is not None:
            use = Use("pain relief duration range", relief, "relief")
            uses.update({id(v): use for v in iter_values(relief.tree)})
    for a in scores:
        for row in a.rows:
            if row.poolable:
                use = Use(f"{a.scale}, {a.window_title}", row.score, "score")
                for v in (*_point_values(row.before), *_point_values(row.after), row.n):
                    if v is not None:
                        uses[id(v)] = use
    return uses


def _why(use: Use, used: Value, others: list[Value], owners: dict[int, Record]) -> str:
    """Why the synthesis takes this value rather than the finding's others, from the rule that chose it."""
    if use.rule == "score":
        return "means, SDs and n are pooled; a printed change is recomputed from the means"
    if use.rule == "relief":
        return "the most direct report of the pain relief duration sets the relief range"
    other = next((owners[id(v)] for v in others if id(v) in owners), None)
    if other is None or other is use.record:
        return "counts are pooled; a printed percentage only when no count is printed"
    assert isinstance(use.record, Response)
    if isinstance(other, Response) and counts(other)[0] is None:
        return "the other reading gives no count"
    if isinstance(other, Response) and other.analysed is not None and use.record.analysed is None:
        return "the whole series before a named subgroup"
    mine, theirs = (REPORT_ORDER.get(r.source.report.kind, 9) for r in (use.record, other))
    if mine < theirs:
        return "the most direct report"
    return "the latest time point of the most direct report"


def _sensitivity(d: Discrepancy, use: Use, owners: dict[int, Record], index: Index) -> Sensitivity | None:
    """The used number recomputed without the used reading, when the finding's other value is another
    reading of the same section (the synthesis' rule then takes that one)."""
    others = [owners[id(v)] for _, v, _ in d.values if v is not None and id(v) in owners]
    other = next((r for r in others if r is not use.record and type(r) is type(use.record)), None)
    study = index.by_id.get(d.study)
    if other is None or study is None or type(other) not in SECTIONS:
        return None
    used, alternative = index.recompute(study, use.record, use.key)
    if used is None:
        return None
    return Sensitivity(use.what, used, alternative, other.source.label)


def impact(
    d: Discrepancy, uses: dict[int, Use], owners: dict[int, Record], group: str, index: Index | None = None
) -> Impact:
    """A finding's severity, the value the synthesis uses and why (the first value used, in order).
    "pooled" means the other value would change the number (or cannot be tried: both are in one
    reading); when the other reading gives the same number the finding is only descriptive."""
    values = [v for _, v, _ in d.values if v is not None]
    used = next(((shown, v, where) for shown, v, where in d.values if v is not None and id(v) in uses), None)
    if d.code in INFORMATION_CODES:
        return Impact(d, "none", None, (), "the values agree: nothing to choose", None)
    if used is None:
        return Impact(d, "descriptive", None, (), "shown as printed, each value with its source", None)
    use = uses[id(used[1])]
    entered = tuple(dict.fromkeys(uses[id(v)].what for v in values if id(v) in uses))
    why = _why(use, used[1], [v for v in values if v is not used[1]], owners)
    sens = _sensitivity(d, use, owners, index or Index([]))
    if sens is not None and not sens.changes:
        return Impact(
            d, "descriptive", used, entered, f"{why}; the other reading gives the same {use.what}", group, sens
        )
    return Impact(d, "pooled", used, entered, why, group, sens)


def impacts(studies: list[Study], found: list[Discrepancy], scores: list[ScoreAnalysis]) -> list[Impact]:
    """Every finding with its impact, most consequential first (then by study and line)."""
    uses = value_uses(studies, scores)
    owners = {id(v): r for s in studies for r in s.readings() for v in iter_values(r.tree)}
    groups = {s.id: s.group for s in studies}
    index = Index(studies)
    out = [impact(d, uses, owners, groups.get(d.study, ""), index) for d in found]
    return sorted(out, key=lambda i: (i.rank, i.finding.study, i.finding.line))


__all__ = ["SEVERITIES", "Impact", "Use", "impacts", "value_uses"]
