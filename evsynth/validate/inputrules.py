"""Rules on untrusted input that the JSON Schema cannot state: real dates, safe labels, budgets.

Study files and BibTeX come from strangers' pull requests. These checks run in `check` and
report every problem with its file and line; limits live in `evsynth.limits`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from pybtex.database import Entry, Person

from evsynth.core.document import Document, Path
from evsynth.core.limits import BIB_FIELD, BIB_KEY_CHARS, EARLIEST_YEAR, LABEL_CHARS, LIST_ITEMS
from evsynth.core.problems import Problem
from evsynth.core.schema_shapes import LABEL_FORBIDDEN

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?\Z")
# (path in the study file, what it holds)
DATE_FIELDS: list[tuple[Path, str]] = [
    (("extraction", "date"), "the extraction date"),
    (("design", "period", "start"), "the first month of treatment"),
    (("design", "period", "end"), "the last month of treatment"),
]


def today() -> datetime.date:
    return datetime.date.today()


def date_problem(text: str) -> str | None:
    """Why `text` (YYYY, YYYY-MM or YYYY-MM-DD) is not a real, past date after EARLIEST_YEAR, or None."""
    m = _DATE.match(text)
    if not m:
        return "is not a date of the form YYYY-MM-DD"
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        first = datetime.date(year, month, day)
    except ValueError:
        return "is not a real calendar date (month 01-12, a day that month has)"
    if year < EARLIEST_YEAR:
        return f"is before {EARLIEST_YEAR}"
    if first > today():
        return f"is in the future (today is {today().isoformat()})"
    return None


def _at(data: Any, path: Path) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def check_dates(doc: Document) -> list[Problem]:
    """Extraction dates and treatment periods are real calendar dates, not in the future, after 1900."""
    problems = []
    for path, what in DATE_FIELDS:
        value = _at(doc.data, path)
        why = None if value is None else date_problem(str(value))
        if why:
            line, col = doc.pos(path)
            problems.append(
                Problem(
                    doc.path,
                    line,
                    col,
                    "bad-date",
                    f"`{'.'.join(map(str, path))}` ({str(value)[:20]!r}, {what}) {why}: give the date as printed",
                )
            )
    return problems


# ---- labels -------------------------------------------------------------------------------------

_LABEL_BAD = re.compile(
    "[" + re.escape(LABEL_FORBIDDEN) + "\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def label_problem(label: str) -> str | None:
    """Why `label` cannot name a study (markup, math, invisible characters, length), or None."""
    bad = _LABEL_BAD.search(label)
    if bad:
        return f"holds {bad.group()!r}; a label holds no markup or math (none of {LABEL_FORBIDDEN})"
    if len(label) > LABEL_CHARS:
        return f"is {len(label):,} characters long; a label is at most {LABEL_CHARS}"
    return None


def bib_label_problems(key: str, entry: Entry, where: tuple[str, int], label: Callable[[str], str]) -> list[Problem]:
    """The label derived from an entry (first author's surname and year) obeys the typed-label rule,
    and so does every other author's name (names reach the figures, where `$` starts math)."""
    texts = [("the first author's surname and year, which name the study on the site,", label(key))]
    texts += [
        (f"{role} {i}", re.sub(r"[{}\\]", "", str(person)))
        for role, persons in entry.persons.items()
        for i, person in enumerate(persons, 1)
        if i > 1
    ]
    problems = []
    for what, text in texts:
        why = label_problem(text)
        if why:
            problems.append(
                Problem(
                    where[0],
                    where[1],
                    1,
                    "bib-bad-label",
                    f"entry `{key}`: {what} ({text[:40]!r}) {why}: write the name plainly",
                )
            )
    return problems


def bib_latex_problems(
    key: str, entry: Entry, where: tuple[str, int], field: Callable[[str], str], name: Callable[[Person], str]
) -> list[Problem]:
    """Every field and name must decode from LaTeX the way the reference list will decode it."""
    parts: list[tuple[str, Callable[[], str]]] = [(f, partial(field, v)) for f, v in entry.fields.items()]
    parts += [(role, partial(name, p)) for role, persons in entry.persons.items() for p in persons]
    for what, decode in parts:
        try:
            decode()
        except Exception as exc:  # pybtex and latexcodec raise several kinds on odd LaTeX
            return [
                Problem(
                    where[0],
                    where[1],
                    1,
                    "bib-syntax",
                    f"entry `{key}`: LaTeX in `{what}` that the "
                    f"build cannot read ({type(exc).__name__}): write it as plain text",
                )
            ]
    return []


_BIB_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/+-]*\Z")


def bib_budget_problems(key: str, entry: Entry, where: tuple[str, int]) -> list[Problem]:
    """A short plain key; no field longer than BIB_FIELD characters; at most LIST_ITEMS names in a role."""
    problems = []
    if len(key) > BIB_KEY_CHARS or not _BIB_KEY.match(key):
        problems.append(
            Problem(
                where[0],
                where[1],
                1,
                "bib-bad-key",
                f"key {key[:40]!r}: a citation key is "
                f"letters, digits and . _ : / + - (at most {BIB_KEY_CHARS}), e.g. smith2019",
            )
        )
    for name, value in entry.fields.items():
        if len(value) > BIB_FIELD:
            problems.append(
                Problem(
                    where[0],
                    where[1],
                    1,
                    "value-too-long",
                    f"entry `{key}`: field `{name}` is {len(value):,} characters; at most {BIB_FIELD:,}: shorten it",
                )
            )
    for role, persons in entry.persons.items():
        if len(persons) > LIST_ITEMS:
            problems.append(
                Problem(
                    where[0],
                    where[1],
                    1,
                    "too-many-items",
                    f"entry `{key}`: {len(persons):,} "
                    f"{role}s; at most {LIST_ITEMS}: keep the first and write `and others`",
                )
            )
    return problems


# ---- time ---------------------------------------------------------------------------------------
