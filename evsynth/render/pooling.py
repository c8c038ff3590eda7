"""`check FILE`'s notes: what the synthesis does with each response of the named studies."""

from __future__ import annotations

from evsynth.core.escape import terminal
from evsynth.core.model import Study
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
