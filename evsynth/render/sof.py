"""The summary of findings in GRADE's form, one table per intervention: a row per outcome in order of
importance to patients, each with its definition and time frame, participants (studies), the result
(per 100 patients where it fits), certainty as symbols and words, lettered footnotes made from that
row's own numbers, and a plain-language statement. Rows without usable data stay and say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from evsynth.core.model import Study
from evsynth.render import views
from evsynth.render.forest_data import UNIT_WORDS
from evsynth.synthesis import grade
from evsynth.synthesis.grade import Body, Certainty, Downgrade
from evsynth.synthesis.harms import Harms
from evsynth.synthesis.outcomes import NOT_STATED, POOLED_OUTCOMES, outcomes
from evsynth.synthesis.pool import Pooled
from evsynth.synthesis.scores import ScoreAnalysis
from evsynth.synthesis.tables import duration_span, fmt, patients, relief_duration

md = views.md
SYMBOLS = {4: "⊕⊕⊕⊕", 3: "⊕⊕⊕◯", 2: "⊕⊕◯◯", 1: "⊕◯◯◯"}
# what each outcome does for the patient, for the plain-language statement (GRADE's wording)
VERBS = {
    "pain-relief": "relieve pain",
    "radiological": "produce a radiological response",
    "overall": "produce a response (as the authors define it)",
    "technical-success": "be technically successful",
    "pain": "lower pain scores",
    "function": "improve function scores",
}
DEFINITIONS = {
    "pain-relief": "patients with pain relief, as each study defines it",
    "radiological": "patients with a radiological response, as each study defines it",
    "overall": "patients with an overall response, as each study defines it",
    "technical-success": "procedures completed as planned",
}


@dataclass(frozen=True)
class Row:
    outcome: str
    definition: Markup
    time_frame: str
    participants: str  # "18 (1 study)" or "no studies"
    result: Markup
    certainty: Certainty | None  # None: nothing to rate
    statement: str
    notes: tuple[tuple[Downgrade, Markup], ...] = ()  # each downgrade with its footnote text
    claim: str = ""  # the statement without its subject, for the home page ("May relieve pain, ...")

    @property
    def symbols(self) -> str:
        return SYMBOLS[self.certainty.level] if self.certainty else ""


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    letters: tuple[tuple[str, ...], ...]  # footnote letters of each row
    footnotes: tuple[tuple[str, Markup], ...]  # (letter, text), each text once


def _time(window: str) -> str:
    return "not stated" if window == NOT_STATED[1] else window


def _studies(k: int) -> str:
    return f"{k} {'study' if k == 1 else 'studies'}"


def _per100(p: float) -> str:
    return f"{100 * p:.0f}"


def footnote(d: Downgrade, b: Body) -> Markup:
    """The downgrade in words, with the row's own numbers."""
    head = f"{d.domain.capitalize()}, −{d.levels}: "
    if d.domain == "risk of bias":
        why = f"no comparison group; {_studies(b.k)}: case series or case reports, outcomes assessed unblinded"
    elif d.rule == "i2":
        why = f"I² = {b.i2 or 0:.0f}% across {_studies(b.k)}"
    elif d.rule == "spread" and b.spread:
        why = f"the studies' values range from {fmt(round(b.spread[0], 1))} to {fmt(round(b.spread[1], 1))} months"
    elif d.rule == "definitions":
        why = f"{_studies(b.k)} define the outcome in {b.definitions} different ways"
    elif d.rule == "recorded":
        return Markup(md(head)) + md("; ".join(b.indirect))
    else:
        unknown = "number of patients not reported: the optimal information size is not shown to be met"
        why = f"{b.n} patients, below the optimal information size" if b.n else unknown
        if b.ci is not None and d.rule != "few-patients":
            why += f"; 95% CI {_per100(b.ci[0])} to {_per100(b.ci[1])} per 100 is wide"
    return md(head + why)


def _row(outcome: str, definition: Markup, time: str, b: Body, result: Markup, said: tuple[str, str]) -> Row:
    c = grade.rate(b)
    notes = tuple((d, footnote(d, b)) for d in c.downgrades)
    statement, claim = said
    participants = f"{b.n if b.n else 'number not reported'} ({_studies(b.k)})"
    return Row(outcome, definition, time, participants, result, c, statement, notes, claim)


def _statement(c: Certainty, verb: str, intervention: str) -> tuple[str, str]:
    """GRADE's informative statement for the certainty: (with the intervention, without it)."""
    lead = {4: "can ", 3: "probably can ", 2: "may ", 1: "may "}[c.level]
    tail = ", but the evidence is very uncertain" if c.level == 1 else ""
    claim = f"{lead}{verb}{tail}."
    return f"{intervention} {claim}", claim[0].upper() + claim[1:]


def _uncertain(about: str, intervention: str) -> tuple[str, str]:
    name = intervention if intervention[1:2].isupper() else intervention[:1].lower() + intervention[1:]
    return f"The evidence is very uncertain about {about} {name}.", "The evidence is very uncertain."


def _definitions(members: list[Any]) -> Markup:
    texts = sorted({d for o in members if (d := o.reading.definition or o.reading.criterion)})
    if len(texts) == 1:
        return md(texts[0])
    return md("responders as each study defines them" + (f" ({len(texts)} different definitions)" if texts else ""))


def proportion_row(r: dict[str, Any], intervention: str) -> Row:
    p: Pooled = r["pooled"]
    members = r["outcomes"]
    n, events = sum(s.total for s in p.studies), sum(s.events for s in p.studies)
    b = Body(k=p.k, n=n, designs=tuple(o.study.design.type for o in members), ci=(p.ci_low, p.ci_high),
             i2=p.i2 if p.k > 1 else None,
             definitions=len({o.reading.definition or o.reading.criterion for o in members}),
             indirect=tuple(i.reason for o in members for i in o.reading.indirectness))  # fmt: skip
    how = "pooled, random effects" if p.k > 1 else "single study, not pooled"
    het = f"; I² {p.i2:.0f}%" if p.k > 1 else ""
    result = md(f"{_per100(p.estimate)} per 100 (95% CI {_per100(p.ci_low)} to {_per100(p.ci_high)})")
    result += Markup("<br>") + md(f"{events} of {n} patients; {how}{het}")
    c = grade.rate(b)
    statement = _statement(c, VERBS.get(r["outcome"], "have an effect"), intervention)
    return _row(r["outcome_title"], _definitions(members), _time(r["window_title"]), b, result, statement)


def score_row(a: ScoreAnalysis, intervention: str) -> Row:
    rows = [r for r in a.rows if r.poolable] if a.change is not None else list(a.rows)  # the result's own studies
    n = sum(int(r.n.value) for r in rows if r.n is not None)
    i2 = a.change.i2 if a.change is not None and a.change.k > 1 else None
    b = Body(k=len(rows), n=n, designs=tuple(r.study.design.type for r in rows), i2=i2,
             indirect=tuple(i.reason for r in rows for i in r.score.indirectness))  # fmt: skip
    scale = a.rows[0].score.scale_range
    span = ""
    if scale and scale.min is not None and scale.max is not None:
        span = f", {fmt(scale.min)} to {fmt(scale.max)}"
    better = f", {scale.better} is better" if scale and scale.better else ""
    definition = md(f"{a.scale}{span}{better}; mean before and after treatment")
    if a.change is not None:
        how = "pooled" if a.change.k > 1 else "single study"
        ch = a.change
        het = f"; I² {ch.i2:.0f}%" if ch.k > 1 else ""
        result = md(f"mean change {ch.estimate:.1f} points (95% CI {ch.ci_low:.1f} to {ch.ci_high:.1f}), {how}{het}")
    else:
        first = a.rows[0]
        result = Markup(f"{views.val(first.before.mean)} → {views.val(first.after.mean)}") + md(
            f" (means as printed; no {'SD' if first.n is not None else 'SD or n'}, not pooled)"
        )
    statement = _statement(grade.rate(b), VERBS.get(a.domain, "change scores"), intervention)
    return _row(f"{a.domain.capitalize()} score", definition, _time(a.window_title), b, result, statement)


def duration_row(studies: list[Study], intervention: str) -> Row | None:
    span = duration_span(studies)
    if span["low"] is None:
        return None
    members = [s for s in studies if relief_duration(s) is not None]
    b = Body(k=len(members), n=sum(patients(s) or 0 for s in members), designs=tuple(s.design.type for s in members),
             spread=(span["low"], span["high"]))  # fmt: skip
    lo, hi = fmt(round(span["low"], 1)), fmt(round(span["high"], 1))
    result = md(f"{lo} to {hi} months across studies (ranges as printed)")
    statement = _uncertain("how long pain relief lasts after", intervention)
    if grade.rate(b).level > 1:
        claim = f"may last {lo} to {hi} months."
        statement = (f"Pain relief after {intervention} {claim}", claim.capitalize())
    return _row("Duration of pain relief", md("time from treatment to return of pain"), "follow-up as reported", b,
                result, statement)  # fmt: skip


def harms_text(h: Harms) -> str:
    """Serious complications in words: a rate only from the studies that grade them."""
    if not h.graded:
        who = (
            "the study counting complications in patients"
            if h.studies == 1
            else (f"the {h.studies} studies counting complications in patients")
        )
        says = "does" if h.studies == 1 else "do"
        text = f"seriousness not graded: {who} ({h.patients} patients) {says} not say which were serious; no rate"
    else:
        rate = f" (crude {_per100(h.serious / h.graded_patients)} per 100)" if h.graded_patients else ""
        text = (f"{h.serious} serious, {h.minor} minor in {h.graded_patients} patients of the "
                f"{views.count(h.graded, 'study that grades', 'studies that grade')} them{rate}")  # fmt: skip
        if h.studies > h.graded:
            text += f"; {views.count(h.studies - h.graded, 'study does', 'studies do')} not grade them"
    if h.serious_other_units:
        text += f"; {h.serious_other_units} serious counted per procedure or in an unstated unit, not added"
    return text


def harms_row(h: Harms, studies: list[Study], intervention: str) -> Row:
    counting = [s for s in studies if any((c.per or "not-stated") == "patients" and c.n is not None
                                          for c in s.complications)]  # fmt: skip
    definition = md("complications graded major or severe by the paper")
    if not counting:
        why = (f"not counted in patients: {h.other_units} events counted per procedure, vertebra or in an unstated unit"
               if h.other_units else "no study counts complications")  # fmt: skip
        return Row("Serious complications", definition, "during follow-up", "no studies", md(why), None,
                   "No evidence in patients.", claim="No evidence in patients.")  # fmt: skip
    b = Body(k=h.studies, n=h.patients, designs=tuple(s.design.type for s in counting))
    result = md(harms_text(h))
    statement = _uncertain("the risk of serious complications of", intervention)
    return _row("Serious complications", definition, "during follow-up", b, result, statement)


def missing_row(title: str, kind: str, studies: list[Study]) -> Row:
    """A row for an outcome with nothing to pool, saying what the studies do report instead."""
    found = outcomes(studies, kind)
    reasons = []
    per = [o for o in found if o.per != "patients" and o.events is not None]
    if per:
        units = " or ".join(sorted({UNIT_WORDS.get(o.per, "per " + o.per.replace("-", " ").rstrip("s")) for o in per}))
        reasons.append(f"{_studies(len(per))} {'counts' if len(per) == 1 else 'count'} it {units}, not per patient")
    uncounted = [o for o in found if o.events is None]
    if uncounted:
        prints = "prints" if len(uncounted) == 1 else "print"
        reasons.append(f"{_studies(len(uncounted))} {prints} no count of patients that can be pooled")
    if any(o.study.design.type == "case-report" for o in found):
        reasons.append("a case report is not pooled")
    silent = len(studies) - len(found)
    if silent:
        reasons.append(f"{_studies(silent)} do not report it" if silent > 1 else "1 study does not report it")
    why = "not pooled: " + "; ".join(reasons) if reasons else "not reported"
    return Row(title, md(DEFINITIONS.get(kind, "")), "—", "no studies", md(why), None, "No pooled evidence.",
               claim="No pooled evidence.")  # fmt: skip


def build(group: dict[str, Any], intervention: str, h: Harms) -> Table:
    """The rows of one intervention's table, in order of importance to patients, and their footnotes."""
    studies: list[Study] = group["studies"]
    pooled = group["pooled"]
    rows: list[Row] = [proportion_row(r, intervention) for r in pooled if r["outcome"] == "pain-relief"]
    if not rows:
        rows.append(missing_row(POOLED_OUTCOMES["pain-relief"], "pain-relief", studies))
    rows += [score_row(a, intervention) for a in group["score_analyses"]]
    if (d := duration_row(studies, intervention)) is not None:
        rows.append(d)
    rows.append(harms_row(h, studies, intervention))
    rows += [proportion_row(r, intervention) for r in pooled if r["outcome"] != "pain-relief"]
    return letter(rows)


def letter(rows: list[Row]) -> Table:
    """Letter the footnotes a, b, c... in order of first use; an identical text keeps its letter."""
    seen: dict[str, str] = {}
    letters = []
    for r in rows:
        mine = []
        for _, text in r.notes:
            seen.setdefault(str(text), "abcdefghijklmnopqrstuvwxyz"[len(seen) % 26] * (1 + len(seen) // 26))
            mine.append(seen[str(text)])
        letters.append(tuple(mine))
    return Table(tuple(rows), tuple(letters), tuple((v, Markup(k)) for k, v in seen.items()))
