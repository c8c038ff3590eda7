"""`check FILE`: the problems of the named files (every error, and the warnings of those files and of
the references they cite), and what the synthesis does with each of their responses."""

from __future__ import annotations

import re
from collections.abc import Sequence

from evsynth.core.escape import terminal
from evsynth.core.model import Study
from evsynth.core.problems import Problem
from evsynth.synthesis.outcomes import POOLED_OUTCOMES, fates

WHY_NOT = {
    "kind": "shown on the study page, not pooled: only {pooled} responses are pooled",
    "unit": "shown, not pooled: it counts {per}, not patients",
    "case-report": "shown, not pooled: a case report",
    "no-counts": "shown, not pooled: no count of responders and patients (n and of)",
    "other-reading": "shown, not pooled: another reading of this outcome is used "
    "(the most direct report, the latest time)",
}


def pooling_lines(studies: list[Study], names: set[str]) -> list[str]:
    """For the studies whose files are named: what the synthesis does with each response (the kind and
    unit an editor chooses decide whether it is pooled), one terminal line each."""
    pooled = ", ".join(POOLED_OUTCOMES)
    lines = []
    for s in studies:
        if s.path not in names:
            continue
        for f in fates(s):
            per = "an unstated unit (`per:`)" if f.per == "not-stated" else f.per
            what = f"pooled ({f.window})" if f.window else WHY_NOT[f.reason or "kind"].format(pooled=pooled, per=per)
            lines.append(terminal(f"{s.path}:{f.line}: note: {f.kind} response: {what}"))
    return lines


ENTRY = re.compile(r"entry `([^`]+)`")


def own_problems(problems: Sequence[Problem], studies: list[Study], names: set[str]) -> list[Problem]:
    """Every error (any file's error fails the build), but only the named files' warnings and the
    warnings of the references they cite: an editor's own file is not buried under the others'."""
    cited = {key for s in studies if s.path in names for key in s.citations}

    def own(p: Problem) -> bool:
        m = ENTRY.search(p.message)
        return p.is_error or p.path in names or (m is not None and m.group(1) in cited)

    return [p for p in problems if own(p)]
