"""One reference read from a reference-manager export (RIS, CSL-JSON), checked and written as BibTeX.

The readers (`ris`, `csl_json`) fill an `ExportRecord` with plain text and the line of each field;
`record_problems` refuses what the reference list cannot hold (no author, no year, a DOI that is
not one, TeX commands, characters BibTeX would read as markup), naming the export's line and the
fix; `to_bibtex` writes the entry. The written entry is then read back through the BibTeX path of
`build.py new --bibtex`, so both routes refuse the same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from evsynth.core import escape
from evsynth.core.limits import BIB_FIELD, EARLIEST_YEAR, LIST_ITEMS
from evsynth.core.problems import Problem
from evsynth.load.files import UNSAFE_TEX

# The BibTeX fields an import fills, in the order they are written.
FIELDS = ("title", "journal", "year", "volume", "number", "pages", "doi", "pmid")
# Text "et al." stands for, in an author list: never an author of its own.
ET_AL = re.compile(r"(et\.?\s*al\.?|others|\.\.\.|…)", re.IGNORECASE)
# BibTeX specials written with a backslash; the characters that cannot be written plainly are refused.
_ESCAPED = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "~": r"{\textasciitilde}"}
_REFUSED = re.compile(r"[{}$^\\]")
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


@dataclass
class Name:
    family: str
    given: str = ""
    suffix: str = ""
    literal: bool = False  # an organisation: written in braces, never split into parts


@dataclass
class ExportRecord:
    """A reference as the export gives it: plain text, with the line each part was read from."""

    line: int
    kind: str = "misc"  # the BibTeX entry type
    authors: list[Name] = field(default_factory=list)
    et_al: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def put(self, name: str, value: str, line: int) -> None:
        """Keep the first value the export gives for a field (abbreviated journal names come first)."""
        value = escape.one_line(value).strip()
        if value and name not in self.fields:
            self.fields[name] = value
            self.lines[name] = line

    def summary(self) -> str:
        """'Chiras 2004, Selective intra-arterial chemoemb...': how a record is listed for --pick."""
        first = self.authors[0].family if self.authors else "no author"
        title = self.fields.get("title", "no title")
        title = title if len(title) <= 60 else title[:57] + "..."
        return f"{first} {self.fields.get('year', 'no year')}, {title}"


def split_name(text: str) -> Name:
    """'Chiras, J.-N.', 'Chiras JN' (PubMed), 'Smith, John, Jr' or an organisation's name."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 3:  # RIS: "Lastname, Firstname, Suffix"
        return Name(parts[0], parts[1], ", ".join(parts[2:]))
    if len(parts) == 2:
        return Name(parts[0], parts[1])
    words = text.split()
    if len(words) > 1 and re.fullmatch(r"[A-Z]{1,4}", words[-1]):  # PubMed: surname and initials
        return Name(" ".join(words[:-1]), " ".join(f"{c}." for c in words[-1]))
    return Name(text, literal=len(words) > 1)


def pages(text: str) -> str:
    """'1260-2', '1260 – 1262' -> '1260--2', '1260--1262' (BibTeX's page range)."""
    start, _, end = re.sub(r"\s*(?:--|-|–|—)\s*", "-", text.strip()).partition("-")
    return f"{start}--{end}" if end else start


def doi(text: str) -> str:
    return _DOI_PREFIX.sub("", text.strip())


def year_of(text: str) -> str:
    """The first four-digit year in '2004/11/01/', '2004 Nov', '2004-11'."""
    m = re.search(r"(?<![0-9])[0-9]{4}(?![0-9])", text)
    return m.group(0) if m else text


def record_problems(path: str, rec: ExportRecord, what: str) -> list[Problem]:
    """What stops the record becoming a reference, at the export's line, with the fix."""
    out: list[Problem] = []

    def add(name: str, code: str, message: str) -> None:
        out.append(Problem(path, rec.lines.get(name, rec.line), 1, code, f"{what}: {message}"))

    f = rec.fields
    if not rec.authors:
        add("author", "bib-missing-author", "no author: add the authors the paper lists")
    elif len(rec.authors) > LIST_ITEMS:
        add(
            "author",
            "too-many-items",
            f"{len(rec.authors):,} authors; at most {LIST_ITEMS}: keep the first six and an `et al.`",
        )
    year = f.get("year", "")
    if not re.fullmatch(r"[0-9]{4}", year) or not EARLIEST_YEAR <= int(year) <= date.today().year + 1:
        add("year", "bib-bad-year", f"no year from {EARLIEST_YEAR} to next year: add the year of publication")
    if "title" not in f:
        add("title", "bib-missing-title", "no title: add the paper's title")
    if "doi" in f and not _DOI.fullmatch(f["doi"]):
        add("doi", "bib-bad-doi", f"DOI {f['doi'][:60]!r} should look like 10.1234/abc: correct it or delete it")
    if "pmid" in f and not re.fullmatch(r"[0-9]{1,9}", f["pmid"]):
        add("pmid", "bib-bad-pmid", f"PMID {f['pmid'][:40]!r} should be digits only: correct it or delete it")
    texts = [(n, v) for n, v in f.items()] + [("author", a.family + a.given + a.suffix) for a in rec.authors]
    for name, value in texts:
        problem = _text_problem(value)
        if problem:
            add(name, *problem)
    return out


def _text_problem(value: str) -> tuple[str, str] | None:
    if len(value) > BIB_FIELD:
        return "value-too-long", f"{len(value):,} characters in one field; at most {BIB_FIELD:,}: shorten it"
    tex = UNSAFE_TEX.search(value)
    if tex:
        return "bib-unsafe-tex", f"TeX command \\{tex.group(1)} has no place in a reference: write the text plainly"
    bad = _REFUSED.search(value)
    if bad:
        return "import-syntax", f"the character {bad.group(0)!r} cannot be written to BibTeX as it is: delete it"
    return None


def _tex(value: str) -> str:
    return "".join(_ESCAPED.get(c, c) for c in value)


def _part(text: str) -> str:
    """One part of a name; braced when it holds the word `and`, which would split the author list."""
    return "{" + _tex(text) + "}" if re.search(r"\band\b", text, re.IGNORECASE) else _tex(text)


def _name(n: Name) -> str:
    """'Family, Suffix, Given' (BibTeX's order), or an organisation in braces."""
    if n.literal:
        return "{" + _tex(n.family) + "}"
    return ", ".join(_part(p) for p in (n.family, n.suffix, n.given) if p)


def to_bibtex(key: str, rec: ExportRecord, source: str) -> str:
    """The entry `build.py new` writes to references/<id>.bib (checked by `record_problems` first)."""
    names = [_name(n) for n in rec.authors] + (["others"] if rec.et_al else [])
    lines = [f"@{rec.kind}{{{key},", f"  author = {{{' and '.join(names)}}},"]
    lines += [f"  {name} = {{{_tex(rec.fields[name])}}}," for name in FIELDS if name in rec.fields]
    lines.append(f"  x-source = {{{_tex(source)}}}")
    return "\n".join(lines) + "\n}\n"
