"""The data-quality page's view of the findings: ranked by what they change, each with the value the
synthesis uses and why, and links to the pages whose numbers it touches (study names, never slugs).
Raw text: the template escapes every string (`| md`)."""

from __future__ import annotations

from dataclasses import dataclass

from evsynth.core.model import Study
from evsynth.synthesis.impact import Impact
from evsynth.synthesis.sensitivity import Result, Sensitivity
from evsynth.synthesis.tables import fmt

SEVERITY_WORDS = {
    "pooled": "Changes a number the synthesis uses",
    "descriptive": "Descriptive only",
    "none": "Information (the values agree)",
}


@dataclass(frozen=True)
class Link:
    title: str
    path: str  # relative to the site root, e.g. "studies/x/index.md"


@dataclass(frozen=True)
class FindingRow:
    severity: str  # the slug ("pooled", "descriptive", "none")
    severity_words: str
    study: str  # the study's name
    study_id: str
    code: str
    what: str
    message: str
    values: tuple[tuple[str, str], ...]  # (shown value, provenance)
    used: str | None  # the value the synthesis uses, as shown
    used_where: str | None  # its provenance
    uses: tuple[str, ...]  # the computed numbers it enters
    why: str
    pages: tuple[Link, ...]
    sensitivity: str | None = None  # the number with either reading, in words


def finding_rows(impacts: list[Impact], studies: list[Study], groups: dict[str, str]) -> list[FindingRow]:
    """One row per finding, in the synthesis' ranking (most consequential first)."""
    by_id = {s.id: s for s in studies}
    rows = []
    for i in impacts:
        d = i.finding
        s = by_id.get(d.study)
        label = s.label if s else d.study
        pages = [Link(label, f"studies/{d.study}/index.md")]
        if i.group and i.group in groups:
            pages.append(Link(groups[i.group], f"interventions/{i.group}/index.md"))
        rows.append(
            FindingRow(
                severity=i.severity,
                severity_words=SEVERITY_WORDS[i.severity],
                study=label,
                study_id=d.study,
                code=d.code.replace("-", " "),
                what=d.what,
                message=d.message,
                values=tuple((shown, where) for shown, _, where in d.values),
                used=i.used[0] if i.used else None,
                used_where=i.used[2] if i.used else None,
                uses=i.uses,
                why=i.why,
                pages=tuple(pages),
                sensitivity=sensitivity_words(i.sensitivity) if i.sensitivity else None,
            )
        )
    return rows


def index(rows: list[FindingRow]) -> tuple[dict[str, list[FindingRow]], dict[str, list[FindingRow]]]:
    """The findings by study id, and those with a sensitivity by each page they link: one pass, so a
    page looks its findings up instead of scanning every finding (findings x pages)."""
    by_study: dict[str, list[FindingRow]] = {}
    sensitive: dict[str, list[FindingRow]] = {}
    for r in rows:
        by_study.setdefault(r.study_id, []).append(r)
        if r.sensitivity:
            for path in dict.fromkeys(x.path for x in r.pages):
                sensitive.setdefault(path, []).append(r)
    return by_study, sensitive


def _result(r: Result, relief: bool) -> str:
    if relief:
        return f"{fmt(round(r.low, 1))} to {fmt(round(r.high, 1))} months over {r.k} studies"
    return f"{100 * r.estimate:.0f}% (95% CI {100 * r.low:.0f} to {100 * r.high:.0f}; k = {r.k})"


def sensitivity_words(s: Sensitivity) -> str:
    """'With the reading used: 38% (95% CI 15 to 65; k = 1); with Chiras 2004, Table 4 instead: 31% (...)'."""
    relief = "duration" in s.what
    used = _result(s.used, relief)
    if s.other is None:
        return f"{s.what}: {used} with the reading used; {s.other_source} gives no number to pool instead"
    if not s.changes:
        return f"{s.what}: {used} with either reading"
    return f"{s.what}: {used} with the reading used; {_result(s.other, relief)} with {s.other_source} instead"


def by_severity(rows: list[FindingRow]) -> list[tuple[str, int, list[FindingRow]]]:
    """(words, how many, findings) for each severity present, in rank order."""
    sections = [(words, [r for r in rows if r.severity == slug]) for slug, words in SEVERITY_WORDS.items()]
    return [(words, len(found), found) for words, found in sections if found]
