"""`build.py meta FILE.csv`: re-analysis of any CSV with columns study,events,total."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from evsynth.load.files import display_path
from evsynth.synthesis.pool import CiMethod, Pooled, StudyProportion, Tau2Method, pool_proportions
from evsynth.core.problems import Problem

MAX_CSV_BYTES = 5_000_000


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
        return [], [Problem(shown, 1, 1, "missing-field",
                            f"the header needs the columns study,events,total (missing: {', '.join(sorted(missing))})")]
    rows, problems = [], []
    for row in reader:
        line = reader.line_num
        try:
            x, n = int(str(row["events"]).strip()), int(str(row["total"]).strip())
        except (TypeError, ValueError):
            problems.append(Problem(shown, line, 1, "wrong-type",
                                    f"events and total must be whole numbers, not {row['events']!r} and {row['total']!r}"))
            continue
        if x < 0 or n <= 0:
            problems.append(Problem(shown, line, 1, "negative-count", f"events {x} and total {n}: counts must be "
                                    "at least 0 and the total at least 1"))
        elif x > n:
            problems.append(Problem(shown, line, 1, "subset-exceeds-total", f"events {x} exceed total {n}"))
        else:
            rows.append(StudyProportion(str(row["study"] or f"row {line}"), x, n))
    if not rows and not problems:
        problems.append(Problem(shown, 1, 1, "empty", "the CSV has no rows"))
    return rows, problems


def meta_json(p: Pooled) -> str:
    return json.dumps(p.as_dict(), indent=2) + "\n"


def meta_text(p: Pooled) -> str:
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    lines = [f"{'study':<24} {'events':>7} {'total':>6} {'prop':>7}  95% CI (exact)"]
    for s in p.studies:
        lo, hi = s.exact_ci()
        lines.append(f"{s.study[:24]:<24} {s.events:>7} {s.total:>6} {pct(s.proportion):>7}  {pct(lo)} to {pct(hi)}")
    lines.append("")
    lines.append(f"pooled (k={p.k}, tau2 {p.tau2_method.upper()}, CI {p.ci_method.upper()}): {pct(p.estimate)}, "
                 f"95% CI {pct(p.ci_low)} to {pct(p.ci_high)}")
    if p.pi_low is not None and p.pi_high is not None:
        lines.append(f"prediction interval: {pct(p.pi_low)} to {pct(p.pi_high)}")
    lines.append(f"tau2 (logit) = {p.tau2:.4f}, I2 = {p.i2:.1f}%, Q = {p.q:.3f}")
    lines += [f"caution: {c}" for c in p.cautions]
    return "\n".join(lines) + "\n"


def run_meta(path: Path, tau2: Tau2Method, ci: CiMethod, as_json: bool) -> tuple[str, list[Problem]]:
    rows, problems = read_meta_csv(path)
    if problems:
        return "", problems
    pooled = pool_proportions(rows, tau2, ci)
    return (meta_json(pooled) if as_json else meta_text(pooled)), []
