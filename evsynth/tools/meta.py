"""`build.py meta FILE.csv`: re-analysis of any CSV with columns study,events,total."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from evsynth.core.problems import Problem
from evsynth.load.files import display_path
from evsynth.synthesis.pool import CiMethod, Pooled, StudyProportion, Tau2Method, pool_proportions

MAX_CSV_BYTES = 5_000_000


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def read_meta_csv(path: Path) -> tuple[list[StudyProportion], list[Problem]]:
    """Rows of a study,events,total CSV; every bad row is a Problem naming its line."""
    shown = display_path(path)
    try:
        raw = path.read_bytes()[: MAX_CSV_BYTES + 1]
    except OSError as exc:
        return [], [Problem(shown, 0, 0, "unreadable", f"cannot read the file: {exc.strerror or exc}")]
    if len(raw) > MAX_CSV_BYTES:
        return [], [Problem(shown, 1, 1, "file-too-large", f"more than {MAX_CSV_BYTES:,} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(shown, raw[: exc.start].count(b"\n") + 1, 1, "not-utf8", "save the CSV as UTF-8")]
    reader = csv.DictReader(io.StringIO(text))
    missing = {"study", "events", "total"} - set(reader.fieldnames or [])
    if missing:
        need = f"the header needs the columns study,events,total (missing: {', '.join(sorted(missing))})"
        return [], [Problem(shown, 1, 1, "missing-field", need)]
    rows, problems = [], []
    for row in reader:
        got = _row(shown, reader.line_num, row)
        if isinstance(got, Problem):
            problems.append(got)
        else:
            rows.append(got)
    if not rows and not problems:
        problems.append(Problem(shown, 1, 1, "empty", "the CSV has no rows"))
    return rows, problems


def _row(shown: str, line: int, row: dict[str, str]) -> StudyProportion | Problem:
    try:
        x, n = int(str(row["events"]).strip()), int(str(row["total"]).strip())
    except (TypeError, ValueError):
        why = f"events and total must be whole numbers, not {row['events']!r} and {row['total']!r}"
        return Problem(shown, line, 1, "wrong-type", why)
    if x < 0 or n <= 0:
        why = f"events {x} and total {n}: counts must be at least 0 and the total at least 1"
        return Problem(shown, line, 1, "negative-count", why)
    if x > n:
        return Problem(shown, line, 1, "subset-exceeds-total", f"events {x} exceed total {n}")
    return StudyProportion(str(row["study"] or f"row {line}"), x, n)


def meta_json(p: Pooled) -> str:
    return json.dumps(p.as_dict(), indent=2) + "\n"


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


def run_meta(path: Path, tau2: Tau2Method, ci: CiMethod, as_json: bool) -> tuple[str, list[Problem]]:
    rows, problems = read_meta_csv(path)
    if problems:
        return "", problems
    pooled = pool_proportions(rows, tau2, ci)
    return (meta_json(pooled) if as_json else meta_text(pooled)), []
