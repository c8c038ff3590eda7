"""Stage 4, cite: numbered references in a medical (Vancouver-like) style, by a custom pybtex style.

`VancouverStyle` formats entries as plain text (names as 'Chiras J, Adem C', six authors
then 'et al.', 'Journal. Year;Vol(Issue):Pages.'); links (DOI, PubMed) are kept apart so the
render stage can escape the text and build the links itself: BibTeX arrives in pull requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from functools import lru_cache

from pybtex.backends.plaintext import Backend as PlainText
from pybtex.database import Entry, Person
from pybtex.richtext import Text
from pybtex.style.formatting import BaseStyle

from evsynth.core import escape
from evsynth.load.files import Bibliography

MAX_AUTHORS = 6


# pybtex's render_as() looks its backend up through importlib.metadata on every call (about
# 20 ms each); one backend object does the same work without the lookup.
PLAIN = PlainText()


@lru_cache(maxsize=4096)
def _plain(latex: str) -> str:
    return str(Text.from_latex(latex).render(PLAIN)).strip()


def plain_text(latex: str) -> str:
    """A BibTeX field as the reference list prints it (check runs it on every field: odd LaTeX raises)."""
    return _plain(latex)


def vancouver_name(p: Person) -> str:
    """'Vallée J-N': surname, then initials without full stops."""
    if str(p) == "others":
        return "et al."
    last = _plain(" ".join(p.prelast_names + p.last_names))
    initials = "".join(re.sub(r"[.\s]", "", _plain(n)) if "-" in n else _plain(n)[:1]
                       for n in p.first_names + p.middle_names)
    return f"{last} {initials}".strip()


class VancouverStyle(BaseStyle):  # type: ignore[misc]
    """A pybtex formatting style for a medical reference list."""

    default_sorting_style = "none"

    def format_names(self, entry: Entry) -> str:
        persons = entry.persons.get("author", [])
        names = [vancouver_name(p) for p in persons if str(p) != "others"]
        etal = len(names) > MAX_AUTHORS or any(str(p) == "others" for p in persons)
        names = names[:MAX_AUTHORS]
        return ", ".join(names) + (", et al." if etal else "")

    def format_article(self, context: dict[str, Any]) -> Text:
        e: Entry = context["entry"]
        f = e.fields
        parts = [_sentence(self.format_names(e))]
        if "title" in f:
            parts.append(_sentence(_plain(f["title"])))
        source = _plain(f["journal"]) + "." if "journal" in f else ""
        issue = f"{f['year']}" if "year" in f else ""
        if "volume" in f:
            issue += f";{_plain(f['volume'])}"
        if "number" in f:
            issue += f"({_plain(f['number'])})"
        if "pages" in f:
            issue += f":{_pages(_plain(f['pages']))}"
        parts.append(f"{source} {issue}.".strip())
        return Text(" ".join(p for p in parts if p))

    def format_misc(self, context: dict[str, Any]) -> Text:
        e: Entry = context["entry"]
        f = e.fields
        parts = [_sentence(self.format_names(e))]
        if "title" in f:
            parts.append(_sentence(_plain(f["title"])))
        if "year" in f:
            parts.append(f"{f['year']}.")
        return Text(" ".join(parts))


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _pages(pages: str) -> str:
    """'1260--1262' -> '1260-2' (Vancouver elides repeated leading digits)."""
    start, _, end = pages.replace("--", "-").replace("–", "-").partition("-")
    if end and len(start) == len(end):
        i = 0
        while i < len(end) - 1 and start[i] == end[i]:
            i += 1
        end = end[i:]
    return f"{start}-{end}" if end else start


@dataclass(frozen=True)
class Reference:
    key: str
    number: int
    text: str
    doi: str | None
    pmid: str | None
    incomplete: str | None

    @property
    def doi_url(self) -> str | None:
        return escape.doi_url(self.doi)

    @property
    def pubmed_url(self) -> str | None:
        return escape.pubmed_url(self.pmid)


@lru_cache(maxsize=1)
def _style() -> VancouverStyle:
    return VancouverStyle()


def format_reference(entry: Entry) -> str:
    """One entry in the Vancouver-like style, as plain text."""
    return str(_style().format_entry("", entry).text.render(PLAIN))


def cite(bib: Bibliography, keys: Iterable[str]) -> list[Reference]:
    """Numbered references for `keys` in order of first citation (duplicates and unknown keys skipped)."""
    order: list[str] = []
    for k in keys:
        if k in bib.entries and k not in order:
            order.append(k)
    out = []
    for number, key in enumerate(order, 1):
        if key not in bib.formatted:
            bib.formatted[key] = format_reference(bib.entries[key])
        f = bib.entries[key].fields
        out.append(Reference(key, number, bib.formatted[key], f.get("doi"), f.get("pmid"), f.get("x-incomplete")))
    return out
