"""Read an RIS export (PubMed, Zotero, EndNote, Mendeley): `TY  - JOUR` ... `ER  - ` records.

Each record becomes an `ExportRecord` with the line of every field. Lines without a tag continue the
value before them (some exports wrap long abstracts); blank lines are ignored. What is not RIS
(a tag before any `TY`, a record never closed) is a problem naming the line and the fix, never an
exception. PubMed's MEDLINE export (.nbib, starting `PMID- `) is read by `medline`.
"""

from __future__ import annotations

import re

from evsynth.core.limits import BIB_ENTRIES
from evsynth.core.problems import Problem
from evsynth.tools.export_record import ET_AL, ExportRecord, doi, pages, split_name, year_of
from evsynth.tools.medline import parse_medline

_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?\Z")
_MEDLINE = re.compile(r"PMID- ?[0-9]")
KINDS = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "ABST": "article",
    "MGZN": "article",
    "INPR": "article",
    "BOOK": "book",
    "CHAP": "incollection",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "THES": "phdthesis",
}
# RIS tag -> BibTeX field; for the journal the abbreviation comes first (the reference list uses it).
_FIELDS = {
    "TI": "title",
    "T1": "title",
    "VL": "volume",
    "IS": "number",
    "DO": "doi",
    "PY": "year",
    "Y1": "year",
    "DA": "year",
}
_JOURNAL = ("JA", "J2", "JO", "JF", "T2")


def _fix(message: str) -> str:
    return message + " (an RIS record starts with `TY  - JOUR` and ends with `ER  - `)"


def parse_ris(path: str, text: str) -> tuple[list[ExportRecord], list[Problem]]:
    """Every record of an RIS file, or the problems that stop it being read."""
    if _MEDLINE.match(text.lstrip()):  # PubMed's .nbib: read as well, it is what PubMed exports
        return parse_medline(path, text)
    records: list[ExportRecord] = []
    tags: list[tuple[str, str, int]] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        m = _TAG.match(line)
        if not m:
            if line.strip() and tags:  # a wrapped value
                tag, value, at = tags[-1]
                tags[-1] = (tag, f"{value} {line.strip()}", at)
            elif line.strip():
                return [], [Problem(path, number, 1, "import-syntax", _fix("this line is outside any record"))]
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            if start:
                why = _fix(f"a new record starts before the one from line {start} ends: add `ER  - ` before it")
                return [], [Problem(path, number, 1, "import-syntax", why)]
            start, tags = number, [(tag, value, number)]
        elif not start:
            return [], [Problem(path, number, 1, "import-syntax", _fix(f"`{tag}` comes before any `TY  - ` line"))]
        elif tag == "ER":
            records.append(_record(tags))
            start, tags = 0, []
            if len(records) > BIB_ENTRIES:
                return [], [Problem(path, number, 1, "too-many-items", f"more than {BIB_ENTRIES:,} records: split it")]
        else:
            tags.append((tag, value, number))
    if start:
        return [], [Problem(path, start, 1, "import-syntax", _fix("this record never ends: add `ER  - ` after it"))]
    if not records:
        return [], [Problem(path, 1, 1, "import-syntax", _fix("no RIS record found: is this an RIS export?"))]
    return records, []


def _record(tags: list[tuple[str, str, int]]) -> ExportRecord:
    rec = ExportRecord(tags[0][2], KINDS.get(tags[0][1].upper(), "misc"))
    for tag, value, line in sorted(tags, key=lambda t: _JOURNAL.index(t[0]) if t[0] in _JOURNAL else -1):
        if tag in ("AU", "A1"):
            _author(rec, value, line)
        elif tag in _FIELDS:
            name = _FIELDS[tag]
            rec.put(name, year_of(value) if name == "year" else doi(value) if name == "doi" else value, line)
        elif tag in _JOURNAL:
            rec.put("journal", value, line)
        elif tag == "SP":
            end = next((v for t, v, _ in tags if t == "EP"), "")
            rec.put("pages", pages(f"{value}-{end}" if end and "-" not in value else value), line)
        elif _pmid(tag, value):
            rec.put("pmid", re.sub(r"\D", "", value), line)
    return rec


def _author(rec: ExportRecord, value: str, line: int) -> None:
    if ET_AL.fullmatch(value.strip()):
        rec.et_al = True
        return
    if value.strip():
        rec.authors.append(split_name(value.strip()))
        rec.lines.setdefault("author", line)


def _pmid(tag: str, value: str) -> bool:
    """PubMed's id: `AN  - 15316741`, or `PMID: 15316741` in a notes field (EndNote, Zotero)."""
    if not re.fullmatch(r"(?:PMID:?\s*)?[0-9]{1,9}", value, re.IGNORECASE):
        return False
    return tag == "AN" or (tag in ("C2", "M1", "U1", "N1") and value.upper().startswith("PMID"))
