"""`build.py meta FILE.csv --measure PLO|MN|MC`: re-analysis of any CSV of proportions, means or mean changes.

PLO pools proportions (study,events,total); MN post-treatment means (study,mean,sd,n); MC mean changes
before − after (study,mean_pre,sd_pre,mean_post,sd_post,n,r), a blank r assumed 0.5 with 0.2 and 0.8 shown.
"""

from __future__ import annotations

import json
from pathlib import Path

from evsynth.core import escape
from evsynth.core.problems import Problem
from evsynth.load.files import display_path
from evsynth.synthesis.continuous import (
    SENSITIVITY_R,
    PooledContinuous,
    StudyChange,
    StudyMean,
    change_sensitivity,
    pool_continuous,
)
from evsynth.synthesis.pool import CiMethod, Pooled, StudyProportion, Tau2Method, pool_proportions
from evsynth.tools.meta_rows import MAX_CSV_BYTES, Measure, read_rows

__all__ = ["MAX_CSV_BYTES", "meta_json", "meta_text", "read_meta_csv", "run_meta"]

LABEL = {"MN": "mean", "MC": "mean change (before - after)"}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def read_meta_csv(path: Path) -> tuple[list[StudyProportion], list[Problem]]:
    """Rows of a study,events,total CSV; every bad row is a Problem naming its line."""
    rows, problems = read_rows(path, "PLO")
    return [r for r in rows if isinstance(r, StudyProportion)], problems


def _sensitivity(p: PooledContinuous, tau2: Tau2Method, ci: CiMethod) -> list[dict[str, object]]:
    """The pooled change at each assumed r, when some study does not print its r."""
    changes = [s for s in p.studies if isinstance(s, StudyChange)]
    if p.assumed_r is None or len(changes) != len(p.studies):
        return []
    keys = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2")
    return [
        {"r": r} | {key: getattr(got, key) for key in keys}
        for r, got in change_sensitivity(changes, tau2, ci, SENSITIVITY_R).items()
    ]


def meta_json(p: Pooled | PooledContinuous, sensitivity: list[dict[str, object]] | None = None) -> str:
    if isinstance(p, Pooled):
        return json.dumps({"measure": "PLO"} | p.as_dict(), indent=2) + "\n"
    out = p.as_dict()
    if sensitivity:
        out["sensitivity"] = sensitivity
    return json.dumps(out, indent=2) + "\n"


def meta_text(p: Pooled) -> str:
    lines = [f"{'study':<24} {'events':>7} {'total':>6} {'prop':>7}  95% CI (exact)"]
    for s in p.studies:
        lo, hi = s.exact_ci()
        lines.append(f"{s.study[:24]:<24} {s.events:>7} {s.total:>6} {_pct(s.proportion):>7}  {_pct(lo)} to {_pct(hi)}")
    lines.append("")
    lines.append(
        f"pooled (k={p.k}, tau2 {p.tau2_method.upper()}, CI {p.ci_method.upper()}): {_pct(p.estimate)}, "
        f"95% CI {_pct(p.ci_low)} to {_pct(p.ci_high)}"
    )
    if p.pi_low is not None and p.pi_high is not None:
        lines.append(f"prediction interval: {_pct(p.pi_low)} to {_pct(p.pi_high)}")
    lines.append(f"tau2 (logit) = {p.tau2:.4f}, I2 = {p.i2:.1f}%, Q = {p.q:.3f}")
    lines += [f"caution: {c}" for c in p.cautions]
    return "\n".join(lines) + "\n"


def _study_line(p: PooledContinuous, s: StudyMean | StudyChange) -> str:
    row, name = p.study_row(s), escape.terminal(s.study)[:24]
    ci = f"{row['ci_low']:.2f} to {row['ci_high']:.2f}"
    if isinstance(s, StudyMean):
        return f"{name:<24} {s.n:>5} {s.mean:>8.2f} {s.sd:>6.2f}  {ci}"
    r = f"{s.r:g}" if s.r is not None else f"{row['r_used']:g}*"
    change = s.mean_pre - s.mean_post
    return f"{name:<24} {s.n:>5} {s.mean_pre:>7.2f} {s.mean_post:>7.2f} {change:>7.2f} {r:>5}  {ci}"


def continuous_text(p: PooledContinuous, sensitivity: list[dict[str, object]]) -> str:
    if p.measure == "MN":
        head = f"{'study':<24} {'n':>5} {'mean':>8} {'sd':>6}  95% CI"
    else:
        head = f"{'study':<24} {'n':>5} {'before':>7} {'after':>7} {'change':>7} {'r':>5}  95% CI"
    lines = [head] + [_study_line(p, s) for s in p.studies] + [""]
    lines.append(
        f"pooled {LABEL[p.measure]} ({p.measure}, k={p.k}, tau2 {p.tau2_method.upper()}, CI {p.ci_method.upper()}): "
        f"{p.estimate:.2f}, 95% CI {p.ci_low:.2f} to {p.ci_high:.2f}"
    )
    if p.pi_low is not None and p.pi_high is not None:
        lines.append(f"prediction interval: {p.pi_low:.2f} to {p.pi_high:.2f}")
    lines.append(f"tau2 = {p.tau2:.4f} (squared units of the score), I2 = {p.i2:.1f}%, Q = {p.q:.3f}")
    if p.assumed_r is not None:
        lines.append(f"* r not reported: {p.assumed_r:g} assumed")
    for row in sensitivity:
        lines.append(
            f"with r = {row['r']:g} where not reported: {row['estimate']:.2f}, "
            f"95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f}"
        )
    lines += [f"caution: {c}" for c in p.cautions]
    return "\n".join(lines) + "\n"


def run_meta(
    path: Path, tau2: Tau2Method, ci: CiMethod, as_json: bool, measure: Measure = "PLO"
) -> tuple[str, list[Problem]]:
    rows, problems = read_rows(path, measure)
    if problems:
        return "", problems
    if measure == "PLO":
        pooled = pool_proportions([r for r in rows if isinstance(r, StudyProportion)], tau2, ci)
        return (meta_json(pooled) if as_json else meta_text(pooled)), []
    try:
        found = pool_continuous([r for r in rows if isinstance(r, StudyMean | StudyChange)], tau2, ci)
        sensitivity = _sensitivity(found, tau2, ci)
    except (ValueError, ArithmeticError) as exc:  # a safety net: the row checks keep the numbers in range
        why = f"these rows cannot be pooled ({exc}); check the scores, SDs and r for typing slips"
        return "", [Problem(display_path(path), 1, 1, "out-of-range", why)]
    return (meta_json(found, sensitivity) if as_json else continuous_text(found, sensitivity)), []
