"""What a pull request changes in the evidence, in Markdown for the reviewer (`build.py diff`).

Words the comparison (`synthesis/compare.py`): each changed value by its place in words, before and
after with its source; pooled results before and after; findings, references and problems that are
new or gone. Every string from a study or BibTeX file goes through `escape.markdown`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from evsynth.core import escape
from evsynth.core.model import Study, Value
from evsynth.core.problems import Problem
from evsynth.core.vocab import Vocabularies
from evsynth.render import views
from evsynth.render.places import place
from evsynth.render.views import provenance
from evsynth.synthesis.compare import Estimate, EvidenceDiff, FieldChange, PooledChange, StudyChange, tree_changes
from evsynth.synthesis.tables import patients
from evsynth.validate.discrepancy import Discrepancy

NO_CHANGE = "No change to the evidence."
ABSENT = "—"
RULES = {"main": "", "strict": ", strict rule (best category only)", "mean after": ", mean after treatment",
         "mean change": ", mean change from baseline"}  # fmt: skip
MAX_LEAVES = 8  # of an added or removed record shown in one cell
MAX_ROWS = 60  # changed values shown per study (a reordered table can change every row)
md = escape.markdown


def _terms(vocab: Vocabularies) -> Callable[[str, str], str]:
    kinds = {"primary": "primaries", "site": "sites", "agent": "embolics", "drug": "drugs"}

    def term(key: str, value: str) -> str:
        return vocab.get(kinds[key]).label(value) if key in kinds else value.replace("-", " ")

    return term


def value_text(x: Any) -> str:
    """A value of a study file as plain words (escaped by the caller): a number with its source."""
    if x is None:
        return ABSENT
    if isinstance(x, Value):
        number = _number(x.value) + (f" {x.unit}" if x.unit else "")
        return f"{number} ({provenance(x)})"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        return _number(x)
    if isinstance(x, (dict, list)):
        leaves = [c for c in tree_changes((), {} if isinstance(x, dict) else [], x) if c.new is not None]
        words = [f"{' › '.join(_step(s) for s in c.path)}: {value_text(c.new)}" for c in leaves[:MAX_LEAVES]]
        return "; ".join(words + (["…"] if len(leaves) > MAX_LEAVES else [])) or "(empty)"
    return str(x)


def _number(x: float) -> str:
    """A number exactly as written (60, 64.5, 0.125), never rounded: a diff shows the smallest change."""
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _step(step: str | int) -> str:
    return f"item {step + 1}" if isinstance(step, int) else "count" if step == "n" else step.replace("_", " ")


def _cell(x: Any) -> str:
    return str(md(value_text(x)))


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(head)
    return ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows]


def _study_line(s: Study, problems: Sequence[Problem] = (), why: str = "") -> str:
    """A study added or removed; `why` when its file is still there but has errors on one side."""
    n = patients(s)
    count = "" if n is None else views.count(n, "patient", "patients")
    what = ", ".join(x for x in (s.category, count) if x)
    errors = any(p.is_error and p.path == s.path for p in problems)
    return f"- **{md(s.label)}** ({md(s.id)}): {md(what)}" + (f" ({why})" if errors else "")


def _field_row(study: Study, c: FieldChange, term: Callable[[str, str], str]) -> list[str]:
    where = place(study, c.path, term)
    if c.old is None or c.new is None:
        where += " (added)" if c.old is None else " (removed)"
    return [str(md(where)), _cell(c.old), _cell(c.new)]


def changed_study(change: StudyChange, term: Callable[[str, str], str]) -> list[str]:
    head = [f"#### {md(change.after.label)} ({md(change.after.id)})", ""]
    study = change.after
    shown = change.fields[:MAX_ROWS]
    rows = [_field_row(change.before if c.new is None else study, c, term) for c in shown]
    more = len(change.fields) - len(shown)
    tail = [f"and {more} more changed values in this study", ""] if more else []
    return head + _table(["Where", "Before", "After"], rows) + [""] + tail  # a blank line ends the table


def estimate_text(e: Estimate | None, proportion: bool) -> str:
    if e is None:
        return ABSENT
    if proportion:
        n = f"{100 * e.estimate:.1f}% (95% CI {100 * e.ci_low:.1f}% to {100 * e.ci_high:.1f}%)"
    else:
        n = f"{e.estimate:.1f} (95% CI {e.ci_low:.1f} to {e.ci_high:.1f})"
    return f"{n}, k = {e.k}"


def pooled_table(changes: list[PooledChange], vocab: Vocabularies) -> list[str]:
    groups = vocab.groups
    rows = [
        [
            md(c.outcome + RULES.get(c.rule, f", {c.rule}")),
            md(groups.get(c.group, "All interventions (mixed)")),
            md(c.window),
            estimate_text(c.before, c.proportion),
            estimate_text(c.after, c.proportion),
        ]
        for c in changes
    ]
    return _table(["Outcome", "Intervention", "Time window", "Before", "After"], rows)


def _discrepancy(d: Discrepancy) -> str:
    return f"- {md(d.message)}"  # the message names the study, each value and its source


def _problem(p: Problem) -> str:
    where = f"{p.path}:{p.line}" if p.line else p.path
    tag = p.code if p.is_error else f"warning {p.code}"
    return f"- {md(where)}: [{md(tag)}] {md(p.message)}"


def _section(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    return [f"### {title}", "", *lines] + ([""] if lines[-1] else [])


def diff_markdown(d: EvidenceDiff, base: str, vocab: Vocabularies) -> str:
    """The whole report: a heading, then only the sections that have something in them."""
    if d.empty:
        return NO_CHANGE + "\n"
    term = _terms(vocab)
    out = ["## What this changes in the evidence", "", f"Compared with {md(base)}.", ""]
    had = "its file had errors before: see Problems fixed"
    has = "left out of the build: its file now has errors, see New problems"
    out += _section(f"Studies added ({len(d.added)})", [_study_line(s, d.fixed_problems, had) for s in d.added])
    out += _section(f"Studies removed ({len(d.removed)})", [_study_line(s, d.new_problems, has) for s in d.removed])
    out += _section(f"Studies changed ({len(d.changed)})", [x for c in d.changed for x in changed_study(c, term)])
    out += _section(f"Pooled results that changed ({len(d.pooled)})", pooled_table(d.pooled, vocab) if d.pooled else [])
    out += _section(f"New discrepancies ({len(d.new_discrepancies)})", [_discrepancy(x) for x in d.new_discrepancies])
    out += _section(
        f"Resolved discrepancies ({len(d.resolved_discrepancies)})", [_discrepancy(x) for x in d.resolved_discrepancies]
    )
    out += _section(
        f"New incomplete references ({len(d.new_incomplete)})",
        [f"- {md(k)}: {md(v)}" for k, v in d.new_incomplete.items()],
    )
    out += _section(f"References completed ({len(d.completed)})", [f"- {md(k)}" for k in d.completed])
    out += _section(f"New problems ({len(d.new_problems)})", [_problem(p) for p in d.new_problems])
    out += _section(f"Problems fixed ({len(d.fixed_problems)})", [_problem(p) for p in d.fixed_problems])
    return "\n".join(out).rstrip("\n") + "\n"
