"""GRADE certainty of one body of evidence (one summary-of-findings row), from that row's numbers.

Numbers only: which domains downgrade, by how many levels, under which written rule. The words
(and the footnote letters) are the render stage's (`evsynth.render.sof`).

Rules (Methods prints them):
- non-randomised evidence starts at low (2); case series have no comparison group and, here, at
  least one study in the row with a retrospective, unstated or uncontrolled design: risk of bias -1;
- inconsistency -1 when more than one study and I² > 50%, or (durations) when the longest study's
  value is over three times the shortest's;
- indirectness -1 when the row's studies define the outcome differently, or a study records a way
  its patients or outcome differ from the question;
- imprecision -1 when fewer than 300 patients (the usual optimal information size for a
  proportion) or the 95% CI is wider than 30 percentage points; -2 when both and fewer than 50;
- the level never goes below very low (1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = {4: "high", 3: "moderate", 2: "low", 1: "very low"}
START_NON_RANDOMISED = 2
OPTIMAL_INFORMATION_SIZE = 300
WIDE_CI = 0.30  # a proportion's 95% CI wider than 30 percentage points
VERY_FEW = 50
INCONSISTENT_I2 = 50.0
DURATION_SPREAD = 3.0
UNCONTROLLED = {"retrospective-case-series", "prospective-case-series", "case-series", "case-report", "not-reported"}


@dataclass(frozen=True)
class Body:
    """The evidence behind one row: what the rules read."""

    k: int  # studies
    n: int  # patients analysed (or treated, for harms)
    designs: tuple[str, ...]  # one per study
    ci: tuple[float, float] | None = None  # on the proportion scale (0-1), when the row is a proportion
    i2: float | None = None
    definitions: int = 1  # distinct outcome definitions among the studies
    indirect: tuple[str, ...] = ()  # recorded reasons the evidence differs from the question
    spread: tuple[float, float] | None = None  # shortest and longest value (durations)


@dataclass(frozen=True)
class Downgrade:
    domain: str  # "risk of bias", "inconsistency", "indirectness", "imprecision"
    levels: int
    rule: str  # which written rule fired (e.g. "few-patients", "wide-ci", "both")


@dataclass(frozen=True)
class Certainty:
    level: int
    downgrades: tuple[Downgrade, ...] = field(default=())

    @property
    def words(self) -> str:
        return LEVELS[self.level]


def _risk_of_bias(b: Body) -> Downgrade | None:
    uncontrolled = sum(1 for d in b.designs if d in UNCONTROLLED)
    return Downgrade("risk of bias", 1, "uncontrolled") if uncontrolled else None


def _inconsistency(b: Body) -> Downgrade | None:
    if b.k > 1 and b.i2 is not None and b.i2 > INCONSISTENT_I2:
        return Downgrade("inconsistency", 1, "i2")
    if b.spread is not None and b.spread[0] > 0 and b.spread[1] / b.spread[0] > DURATION_SPREAD:
        return Downgrade("inconsistency", 1, "spread")
    return None


def _indirectness(b: Body) -> Downgrade | None:
    if b.definitions > 1:
        return Downgrade("indirectness", 1, "definitions")
    if b.indirect:
        return Downgrade("indirectness", 1, "recorded")
    return None


def _imprecision(b: Body) -> Downgrade | None:
    few = b.n < OPTIMAL_INFORMATION_SIZE
    wide = b.ci is not None and b.ci[1] - b.ci[0] > WIDE_CI
    if few and wide and b.n < VERY_FEW:
        return Downgrade("imprecision", 2, "both")
    if few and wide:
        return Downgrade("imprecision", 1, "both")
    if few:
        return Downgrade("imprecision", 1, "few-patients")
    if wide:
        return Downgrade("imprecision", 1, "wide-ci")
    return None


def rate(b: Body) -> Certainty:
    """The row's certainty: start low (non-randomised), each domain's downgrade, floor very low."""
    found = [d for rule in (_risk_of_bias, _inconsistency, _indirectness, _imprecision) if (d := rule(b))]
    return Certainty(max(1, START_NON_RANDOMISED - sum(d.levels for d in found)), tuple(found))
