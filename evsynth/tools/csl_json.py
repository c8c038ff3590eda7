"""Read a CSL-JSON export (Zotero, Mendeley, citation.js, doi.org content negotiation).

The file is one item or a list of items; each becomes an `ExportRecord`. JSON has no line numbers
once parsed, so each item is decoded on its own (`raw_decode`) to know where it starts, and a field's
line is where its key first appears inside the item. Bad JSON, an item that is not an object, a field
of the wrong kind: a problem naming the line and the fix, never an exception.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from evsynth.core.limits import BIB_ENTRIES
from evsynth.core.problems import Problem
from evsynth.tools.export_record import ET_AL, ExportRecord, Name, doi, pages, year_of

KINDS = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "thesis": "phdthesis",
}
# CSL variable -> BibTeX field; for the journal the abbreviation comes first.
_FIELDS = (
    ("title", "title"),
    ("container-title-short", "journal"),
    ("journalAbbreviation", "journal"),
    ("container-title", "journal"),
    ("volume", "volume"),
    ("issue", "number"),
    ("page", "pages"),
    ("DOI", "doi"),
    ("PMID", "pmid"),
)
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|sc|span)(?:\s[^<>]*)?>")  # CSL's rich-text tags in titles
_FIX = "; CSL-JSON is what Zotero writes with Export > CSL JSON"


class _Bad(Exception):
    """A field of the wrong kind: its key and what it should be."""

    def __init__(self, key: str, should: str):
        super().__init__(key)
        self.key, self.should = key, should


def parse_csl_json(path: str, text: str) -> tuple[list[ExportRecord], list[Problem]]:
    """Every item of a CSL-JSON file, or the problems that stop it being read."""
    try:
        items = _items(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(path, exc.lineno, exc.colno, "import-syntax", f"not valid JSON ({exc.msg}){_FIX}")]
    except (RecursionError, ValueError) as exc:  # nesting deeper than Python recurses; a 5,000-digit number
        why = f"JSON nested deeper than a reference, or a number too long ({type(exc).__name__}){_FIX}"
        return [], [Problem(path, 1, 1, "import-syntax", why)]
    if len(items) > BIB_ENTRIES:
        return [], [Problem(path, 1, 1, "too-many-items", f"more than {BIB_ENTRIES:,} items: split the export")]
    records, problems = [], []
    for start, end, item in items:
        line = text.count("\n", 0, start) + 1
        if not isinstance(item, dict):
            why = f'an item is an object {{"type": ..., "title": ...}}, not {type(item).__name__}{_FIX}'
            problems.append(Problem(path, line, 1, "import-syntax", why))
            continue
        try:
            records.append(_record(item, line, functools.partial(_line, text, start, end, default=line)))
        except _Bad as bad:
            why = f"`{bad.key}` should be {bad.should}{_FIX}"
            problems.append(Problem(path, _line(text, start, end, bad.key, default=line), 1, "import-syntax", why))
    if not records and not problems:
        problems.append(Problem(path, 1, 1, "import-syntax", f"no item found{_FIX}"))
    return records, problems


def _items(text: str) -> list[tuple[int, int, Any]]:
    """(start, end, value) of each top-level item: the elements of a list, or the one object."""
    decoder = json.JSONDecoder()
    whole = json.loads(text)  # the syntax errors, with their line
    if not isinstance(whole, list):
        start = len(text) - len(text.lstrip())
        return [(start, len(text), whole)]
    out, i = [], text.index("[") + 1
    for _ in whole:
        i = _skip(text, i)
        value, end = decoder.raw_decode(text, i)
        out.append((i, end, value))
        i = end
    return out


def _skip(text: str, i: int) -> int:
    while text[i] in " \t\r\n,":
        i += 1
    return i


def _line(text: str, start: int, end: int, key: str, *, default: int) -> int:
    at = text.find(json.dumps(key), start, end)
    return text.count("\n", 0, at) + 1 if at >= 0 else default


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Bad(key, "text")
    return _MARKUP.sub("", str(value))


def _record(item: dict[str, Any], line: int, line_of: Callable[[str], int]) -> ExportRecord:
    rec = ExportRecord(line, KINDS.get(str(item.get("type")), "misc"))
    for key, name in _FIELDS:
        value = _text(item, key)
        if value is not None:
            value = pages(value) if name == "pages" else doi(value) if name == "doi" else value
            rec.put(name, value, line_of(key))
    year = _year(item.get("issued"))
    if year:
        rec.put("year", year, line_of("issued"))
    authors = item.get("author", [])
    if not isinstance(authors, list):
        raise _Bad("author", 'a list of names [{"family": "Smith", "given": "A. B."}]')
    for person in authors:
        _author(rec, person)
    if rec.authors:
        rec.lines["author"] = line_of("author")
    return rec


def _year(issued: Any) -> str | None:
    if not isinstance(issued, dict):
        return None if issued is None else year_of(str(issued))
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return str(parts[0][0])
    for key in ("raw", "literal"):
        if isinstance(issued.get(key), (str, int)):
            return year_of(str(issued[key]))
    return None


def _author(rec: ExportRecord, person: Any) -> None:
    if not isinstance(person, dict):
        raise _Bad("author", 'a list of names [{"family": "Smith", "given": "A. B."}]')
    literal = _text(person, "literal")
    family = " ".join(p for p in (_text(person, "non-dropping-particle"), _text(person, "family")) if p)
    if ET_AL.fullmatch((literal or family).strip()):
        rec.et_al = True
    elif literal or family:
        given = " ".join(p for p in (_text(person, "given"), _text(person, "dropping-particle")) if p)
        name = Name(family, given, _text(person, "suffix") or "") if family else Name(literal or "", literal=True)
        rec.authors.append(name)
