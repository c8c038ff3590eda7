"""Part of stage 1, load: the literature search log read from `evidence/search/` as text tables.

CSV is read strictly (an unclosed quote or a stray quote is a problem, never a guess) within the
size budgets of `core/limits.py`; its cells are untrusted text. Columns and values are checked by
`validate/searchlog.py`. `repeated-hits.txt` (one line per search and its results that repeated a
page already logged) is read into a count of repeats per search.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from evsynth.core.limits import LOG_CELL, LOG_ROWS
from evsynth.core.problems import Problem
from evsynth.load.files import RawFile, display_path, read_file
from evsynth.load.yamlio import MAX_BYTES, decode_text, find_control_characters

SEARCH_FOLDER = "search"
SEARCHES, RECORDS, REPEATS = "searches.csv", "records.csv", "repeated-hits.txt"


@dataclass(frozen=True)
class Table:
    """A CSV file as read: its header and its rows, each with the line it starts on."""

    path: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass
class RawLog:
    """The search log as read (None for a table that could not be read), and the problems reading it."""

    searches: Table | None
    records: Table | None
    repeats: dict[str, int] = field(default_factory=dict)  # search id -> results that repeated a logged page
    repeats_where: dict[str, tuple[str, int]] = field(default_factory=dict)  # search id -> (path, first line)
    problems: list[Problem] = field(default_factory=list)


def _text(path: Path) -> tuple[str | None, list[Problem]]:
    got = read_file(path)
    if isinstance(got, Problem):
        return None, [got]
    return _decoded(got)


def _decoded(raw: RawFile) -> tuple[str | None, list[Problem]]:
    text, problems = decode_text(raw.path, raw.data)
    if text is None:
        too_large = f"{len(raw.data):,} bytes or more; a search-log file is at most {MAX_BYTES:,}: split the log"
        return None, [replace(p, message=too_large) if p.code == "file-too-large" else p for p in problems]
    bad = find_control_characters(raw.path, text.replace("\r\n", "\n"))
    return (None if bad else text), problems + bad


def parse_table(path: str, text: str) -> tuple[Table | None, list[Problem]]:
    """A CSV text read strictly, row by row, within the row and cell budgets."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, tuple[str, ...]]] = []
    start = 1
    try:
        for row in reader:
            if len(rows) > LOG_ROWS:
                msg = f"more than {LOG_ROWS:,} rows: split the log"
                return None, [Problem(path, start, 1, "too-many-items", msg)]
            long = next((i for i, c in enumerate(row) if len(c) > LOG_CELL), None)
            if long is not None:
                msg = f"a cell of {len(row[long]):,} characters (column {long + 1}); at most {LOG_CELL:,}: shorten it"
                return None, [Problem(path, start, long + 1, "value-too-long", msg)]
            rows.append((start, tuple(row)))
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = f'CSV that cannot be read as it is ({exc}): quote a cell holding a comma or a quote as "..."'
        return None, [Problem(path, start, 1, "log-syntax", msg)]  # the row where the bad cell starts
    if not rows:
        return None, [Problem(path, 1, 1, "empty-file", "the file holds no header: restore the header row")]
    return Table(path, rows[0][1], tuple(r for r in rows[1:] if any(c.strip() for c in r[1]))), []


_EXPLICIT = re.compile(r"(?:\ball|->)\s*(\d+)\s+repeats\b")
_BACKREF = re.compile(r"\bsame address as \S+ r\d+")  # names the earlier rank, is not a repeat itself
_RANK = re.compile(r"\br\d+\b")
_LINE = re.compile(r"(\S+)\s+(.*)")


def repeat_count(rest: str) -> int:
    """Results one line of repeated-hits.txt counts: 'all 8 repeats' / '-> 8 repeats', else each rank
    (r1, r2...) it names, except a rank named only as the earlier copy ('same address as S06 r3')."""
    explicit = _EXPLICIT.search(rest)
    return int(explicit.group(1)) if explicit else len(_RANK.findall(_BACKREF.sub("", rest)))


def parse_repeats(path: str, text: str, log: RawLog) -> None:
    """`S04 r2 <page> (first S02)`: each line a search id, then the ranks of its repeated results."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        count = repeat_count(m.group(2)) if m else 0
        if not m or not count:
            msg = "no repeated result on this line: give the search id and each repeated result's rank (S04 r2 ...)"
            log.problems.append(Problem(path, number, 1, "log-syntax", msg))
            continue
        log.repeats[m.group(1)] = log.repeats.get(m.group(1), 0) + count
        log.repeats_where.setdefault(m.group(1), (path, number))


def _table(path: Path, problems: list[Problem]) -> Table | None:
    text, found = _text(path)
    problems += found
    if text is None:
        return None
    table, found = parse_table(display_path(path), text)
    problems += found
    return table


def load_search_log(evidence: Path) -> RawLog | None:
    """The log in `evidence/search/`, or None when the folder has none (no search recorded)."""
    folder = evidence / SEARCH_FOLDER
    if not (folder / SEARCHES).exists() and not (folder / RECORDS).exists():
        return None
    problems: list[Problem] = []
    log = RawLog(_table(folder / SEARCHES, problems), _table(folder / RECORDS, problems), problems=problems)
    if (folder / REPEATS).exists():
        text, found = _text(folder / REPEATS)
        log.problems += found
        if text is not None:
            parse_repeats(display_path(folder / REPEATS), text, log)
    return log


def study_ids(study_paths: list[Path]) -> frozenset[str]:
    """The ids of the study files in the evidence folder (their names), whether or not they are valid."""
    return frozenset(p.stem for p in study_paths if p.suffix == ".yaml")
