"""Rows of a `build.py meta` CSV for each measure; every bad row is a Problem naming file:line and the fix.

PLO: study,events,total   MN: study,mean,sd,n   MC: study,mean_pre,sd_pre,mean_post,sd_post,n,r (r may be empty)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from evsynth.core.problems import Problem
from evsynth.load.files import display_path
from evsynth.synthesis.continuous import StudyChange, StudyMean
from evsynth.synthesis.pool import StudyProportion

Measure = Literal["PLO", "MN", "MC"]
MeasureRow = StudyProportion | StudyMean | StudyChange
COLUMNS: dict[str, tuple[str, ...]] = {
    "PLO": ("study", "events", "total"),
    "MN": ("study", "mean", "sd", "n"),
    "MC": ("study", "mean_pre", "sd_pre", "mean_post", "sd_post", "n", "r"),
}
MAX_CSV_BYTES = 5_000_000
LARGEST_SCORE = 1e6  # no pain or function score comes near: a larger value is a unit or typing slip
SMALLEST_SD = 1e-6
MOST_PATIENTS = 10_000_000


class RowError(Exception):
    """A bad value in a row: its column, problem code and what to write instead."""

    def __init__(self, column: str, code: str, message: str) -> None:
        super().__init__(message)
        self.column, self.code, self.message = column, code, message


def _text(shown: str, path: Path) -> str | Problem:
    try:
        raw = path.read_bytes()[: MAX_CSV_BYTES + 1]
    except OSError as exc:
        return Problem(shown, 0, 0, "unreadable", f"cannot read the file: {exc.strerror or exc}")
    if len(raw) > MAX_CSV_BYTES:
        return Problem(shown, 1, 1, "file-too-large", f"more than {MAX_CSV_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Problem(shown, raw[: exc.start].count(b"\n") + 1, 1, "not-utf8", "save the CSV as UTF-8")


def _missing(shown: str, measure: str, header: list[str]) -> Problem | None:
    missing = set(COLUMNS[measure]) - set(header)
    if not missing:
        return None
    need = f"the header needs the columns {','.join(COLUMNS[measure])} (missing: {', '.join(sorted(missing))})"
    if measure != "PLO":
        need = f"for --measure {measure} " + need
    fits = [m for m in COLUMNS if m != measure and set(COLUMNS[m]) <= set(header)]
    if fits:
        need += f"; these columns fit --measure {fits[0]}"
    return Problem(shown, 1, 1, "missing-field", need)


def read_rows(path: Path, measure: Measure = "PLO") -> tuple[list[MeasureRow], list[Problem]]:
    """The studies of a CSV for `measure`; every bad row is a Problem naming its line."""
    shown = display_path(path)
    text = _text(shown, path)
    if isinstance(text, Problem):
        return [], [text]
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    missing = _missing(shown, measure, header)
    if missing:
        return [], [missing]
    parse = PARSERS[measure]
    rows: list[MeasureRow] = []
    problems: list[Problem] = []
    for row in reader:
        try:
            rows.append(parse(row, reader.line_num))
        except RowError as err:
            col = header.index(err.column) + 1 if err.column in header else 1
            problems.append(Problem(shown, reader.line_num, col, err.code, err.message))
    if not rows and not problems:
        problems.append(Problem(shown, 1, 1, "empty", "the CSV has no rows"))
    return rows, problems


def _plo(row: dict[str, str], line: int) -> StudyProportion:
    try:
        x, n = int(str(row["events"]).strip()), int(str(row["total"]).strip())
    except (TypeError, ValueError):
        why = f"events and total must be whole numbers, not {row['events']!r} and {row['total']!r}"
        raise RowError("", "wrong-type", why) from None
    if x < 0 or n <= 0:
        why = f"events {x} and total {n}: counts must be at least 0 and the total at least 1"
        raise RowError("", "negative-count", why)
    if x > n:
        raise RowError("", "subset-exceeds-total", f"events {x} exceed total {n}")
    return StudyProportion(str(row["study"] or f"row {line}"), x, n)


def _number(row: dict[str, str], key: str, what: str) -> float:
    text = str(row.get(key) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise RowError(key, "wrong-type", f"{key} must be a number ({what}), not {text!r}") from None
    if not math.isfinite(value):
        raise RowError(key, "non-finite-number", f"{key} is {text!r}: write {what} as a finite number")
    if abs(value) > LARGEST_SCORE:
        why = f"{key} {value:g}: no score is beyond ±{LARGEST_SCORE:g}; check the units and the decimal point"
        raise RowError(key, "out-of-range", why)
    return value


def _sd(row: dict[str, str], key: str) -> float:
    sd = _number(row, key, "the standard deviation")
    if sd < SMALLEST_SD:
        why = f"{key} {sd:g}: the SD must be above 0 (at least {SMALLEST_SD:g}); write the SD, not an SE or a variance"
        raise RowError(key, "out-of-range", why)
    return sd


def _n(row: dict[str, str]) -> int:
    text = str(row.get("n") or "").strip()
    if not text.isdigit():
        raise RowError("n", "wrong-type", f"n must be a whole number of patients, not {text!r}")
    if not 2 <= int(text) <= MOST_PATIENTS:
        why = f"n {text}: a mean with an SD needs at least 2 patients (and at most {MOST_PATIENTS:,})"
        raise RowError("n", "out-of-range", why)
    return int(text)


def _mn(row: dict[str, str], line: int) -> StudyMean:
    mean = _number(row, "mean", "the mean score after treatment")
    return StudyMean(str(row["study"] or f"row {line}"), mean, _sd(row, "sd"), _n(row))


def _mc(row: dict[str, str], line: int) -> StudyChange:
    pre = _number(row, "mean_pre", "the mean score before treatment")
    sd_pre = _sd(row, "sd_pre")
    post = _number(row, "mean_post", "the mean score after treatment")
    sd_post, n = _sd(row, "sd_post"), _n(row)
    r: float | None = None
    if str(row.get("r") or "").strip():
        r = _number(row, "r", "the before-after correlation")
        if not -1 < r < 1:
            why = f"r {r:g}: a before-after correlation lies between -1 and 1 (or leave it empty: 0.5 is assumed)"
            raise RowError("r", "out-of-range", why)
    study = StudyChange(str(row["study"] or f"row {line}"), pre, sd_pre, post, sd_post, n, r)
    if not study.effect()[1] > 0:
        why = "with these SDs and r the change has no variance: check r (or leave it empty: 0.5 is assumed)"
        raise RowError("r", "out-of-range", why)
    return study


PARSERS: dict[str, Callable[[dict[str, str], int], MeasureRow]] = {"PLO": _plo, "MN": _mn, "MC": _mc}
