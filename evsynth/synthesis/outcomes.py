"""Which number of each study enters a comparison, chosen by written rules (part of stage 3, pool).

For an outcome (pain relief, radiological response...), a study contributes one proportion:
- counted in patients (other units are shown but not pooled), and not from a case report;
- from the most direct report: full text, then abstract, then another paper's table, then its text;
- at the latest time point that report gives;
- responders as printed, else the sum of the categories the paper counts as responses, else
  back-calculated from a printed percentage when exactly one whole count fits it at its printed
  precision, rounded or truncated (marked derived).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evsynth.core.model import MONTHS_PER_UNIT, Study, Value
from evsynth.core.records import Response, TimePoint
from evsynth.synthesis.pool import StudyProportion

REPORT_ORDER = {"full-text": 0, "abstract": 1, "secondary-table": 2, "secondary-text": 3, "metadata": 4}
POOLED_OUTCOMES = {
    "pain-relief": "Pain relief",
    "radiological": "Radiological response",
    "overall": "Overall response",
    "technical-success": "Technical success",
}


@dataclass(frozen=True)
class Outcome:
    study: Study
    kind: str
    reading: Response
    events: int | None
    total: int | None
    how: str  # "printed", "categories" or "from percentage"
    per: str

    @property
    def poolable(self) -> bool:
        """Counted in patients, with both counts, and not a case report."""
        return bool(
            self.events is not None
            and self.total
            and self.per == "patients"
            and self.study.design.type != "case-report"
        )

    def proportion(self, events: int | None = None) -> StudyProportion:
        """The study's proportion (by default with its responders by the main rule)."""
        assert self.events is not None and self.total is not None
        return StudyProportion(self.study.id, self.events if events is None else events, self.total, self.study.label)

    @property
    def time_label(self) -> str:
        tp = self.reading.time_point
        if isinstance(tp, TimePoint):
            return f"{tp.value:g} {tp.unit[:-1] if tp.value == 1 else tp.unit}"
        return str(self.reading.timing or "not stated")


def time_in_months(r: Response) -> float:
    tp = r.time_point
    return float(tp.value) * MONTHS_PER_UNIT[tp.unit] if isinstance(tp, TimePoint) else 0.0


def _count(v: Any) -> int | None:
    return int(v.value) if isinstance(v, Value) else None


def counts(r: Response) -> tuple[int | None, int | None, str]:
    """(responders, denominator, how) of a response reading."""
    resp, ev = r.responders, r.evaluated
    total = _count(resp.of if resp else None) or _count(ev.n if ev else None)
    n = _count(resp.n if resp else None)
    if n is not None:
        return n, total, "printed"
    cats = [c.n for c in r.categories if c.response and c.n is not None]
    if cats and r.exhaustive:
        return sum(int(c.value) for c in cats), total, "categories"
    pct = resp.percent if resp else None
    if isinstance(pct, Value) and total:
        fits = counts_for_percent(float(pct), total, most=2, decimals=printed_decimals(pct.value))
        if len(fits) == 1:
            return fits[0], total, "from percentage"
    return None, total, "not derivable"


# Graded outcomes: the main analysis counts the categories the authors call a response (or the
# responders they print); the sensitivity analysis counts only the best category.
RULES = {"main": "responses as the authors define them", "strict": "best category only"}


def strict_events(o: Outcome) -> int | None:
    """Responders by the strict rule: the first (best) category, when the authors count it a response
    and print its count; None when the paper gives no graded categories to apply it to."""
    cats = o.reading.categories
    if not cats or not cats[0].response or cats[0].n is None or o.total is None:
        return None
    return int(cats[0].n.value)


def printed_decimals(x: object) -> int:
    """Decimal places of a number as written in the study file (74.4 -> 1, 78 -> 0)."""
    text = repr(x)
    return 0 if isinstance(x, int) or "." not in text or "e" in text.lower() else len(text.split(".")[1])


def counts_for_percent(pct: float, total: int, most: int, decimals: int = 0) -> list[int]:
    """Whole counts k of `total` whose percentage prints as `pct` at its printed precision, rounded
    or truncated (78% fits 14/18 = 77.8%; 74.4% fits no count of 36), at most `most` of them."""
    step = 10.0**-decimals
    low, high = pct - step / 2, pct + step  # rounding from below, truncation from above
    start = max(0, int(total * low / 100) - 1)
    out: list[int] = []
    for k in range(start, total + 1):
        share = 100 * k / total
        if share >= high or len(out) == most:
            break
        if share >= low - 1e-9:
            out.append(k)
    return out


# Pooling never mixes time windows: each study contributes, per window, its reading in that window.
WINDOWS = (("up-to-1-month", "up to 1 month", 1.0), ("1-to-6-months", "1 to 6 months", 6.0),
           ("over-6-months", "over 6 months", float("inf")))  # fmt: skip
NOT_STATED = ("time-not-stated", "time not stated")


def window(r: Response) -> tuple[str, str]:
    """(slug, words) of the time window of a reading: its time point after treatment, in months."""
    if not isinstance(r.time_point, TimePoint):
        return NOT_STATED
    months = time_in_months(r)
    return next((slug, words) for slug, words, upper in WINDOWS if months <= upper)


def choose_outcome(study: Study, kind: str, in_window: str | None = None) -> Outcome | None:
    """The reading of `kind` this study contributes (in one time window, when given), by the rules in
    the module docstring."""
    readings = [r for r in study.responses if r.kind == kind and in_window in (None, window(r)[0])]
    if not readings:
        return None

    def rank(r: Response) -> tuple[int, int, int, float]:
        n, total, _ = counts(r)
        usable = 0 if n is not None and total else 1
        subset = 1 if r.analysed is not None else 0  # the whole series before a named subgroup
        return (usable, subset, REPORT_ORDER.get(r.source.report.kind, 9), -time_in_months(r))

    best = sorted(readings, key=rank)[0]
    n, total, how = counts(best)
    return Outcome(study, kind, best, n, total, how, best.per or "not-stated")


def outcomes(studies: list[Study], kind: str, in_window: str | None = None) -> list[Outcome]:
    return [o for s in studies if (o := choose_outcome(s, kind, in_window)) is not None]


@dataclass(frozen=True)
class Fate:
    """What the synthesis does with one response of a study: pooled in a time window, or why not."""

    line: int
    kind: str
    window: str | None  # the window's words when pooled
    reason: str | None  # why not: "kind", "unit", "case-report", "no-counts", "other-reading"
    per: str


def fates(study: Study) -> list[Fate]:
    """Each response's fate, so an editor sees that the kind and unit chosen decide pooling."""
    out = []
    for r in study.responses:
        slug, words = window(r)
        chosen = choose_outcome(study, r.kind, slug) if r.kind in POOLED_OUTCOMES else None
        reason = None
        if r.kind not in POOLED_OUTCOMES:
            reason = "kind"
        elif chosen is None or chosen.reading is not r:
            reason = "other-reading"
        elif not chosen.poolable:
            reason = (
                "case-report"
                if study.design.type == "case-report"
                else "unit"
                if chosen.per != "patients"
                else "no-counts"
            )
        out.append(Fate(r.line, r.kind, None if reason else words, reason, r.per or "not-stated"))
    return out
