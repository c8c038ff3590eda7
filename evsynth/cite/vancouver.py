"""Stage 4, cite: numbered references in a medical (Vancouver-like) style, by a custom pybtex style.

`VancouverStyle` formats entries as plain text (names as 'Chiras J, Adem C', six authors
then 'et al.', 'Journal. Year;Vol(Issue):Pages.'); links (DOI, PubMed) are kept apart so the
render stage can escape the text and build the links itself: BibTeX arrives in pull requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pybtex.database import Entry
from pybtex.richtext import Text
from pybtex.style.formatting import BaseStyle

from evsynth.core import escape
from evsynth.core.names import PLAIN, _plain, vancouver_name
from evsynth.load.files import Bibliography

MAX_AUTHORS = 6


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
        names = self.format_names(e)
        parts = [_sentence(names) if names else ""]  # no author: the title leads, as Vancouver does
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
        parts.append(f"{source} {issue}.".strip() if issue else source)
        return Text(" ".join(p for p in parts if p))

    def __getattr__(self, name: str) -> Any:
        """Any other entry type (@book, @inproceedings, @phdthesis...) is formatted as @misc: the
        bibliography comes from pull requests and an unexpected type must not stop the build."""
        if name.startswith("format_"):
            return self.format_misc
        raise AttributeError(name)

    def format_misc(self, context: dict[str, Any]) -> Text:
        e: Entry = context["entry"]
        f = e.fields
        names = self.format_names(e)
        parts = [_sentence(names) if names else ""]
        if "title" in f:
            parts.append(_sentence(_plain(f["title"])))
        if "year" in f:
            parts.append(f"{f['year']}.")
        return Text(" ".join(p for p in parts if p))


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


@dataclass(frozen=True)
class Cited:
    """The cite stage's hand-off: every entry formatted once, and its labels ('Chiras 2004')."""

    bib: Bibliography
    formatted: dict[str, str]

    def refs(self, keys: Iterable[str]) -> list[Reference]:
        """Numbered references for `keys` in order of first citation (duplicates and unknown keys skipped)."""
        order = list(dict.fromkeys(k for k in keys if k in self.formatted))
        out = []
        for number, key in enumerate(order, 1):
            f = self.bib.entries[key].fields
            out.append(Reference(key, number, self.formatted[key], f.get("doi"), f.get("pmid"), f.get("x-incomplete")))
        return out

    def label(self, key: str) -> str:
        return self.bib.label(key)


def cite(bib: Bibliography) -> Cited:
    """The cite stage: every bibliography entry in the medical style, formatted once."""
    return Cited(bib, {key: format_reference(entry) for key, entry in bib.entries.items()})
