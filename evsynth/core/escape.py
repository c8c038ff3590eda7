"""The escaping boundary: one function per output context for text from study and BibTeX files.

Study files and BibTeX arrive in strangers' pull requests, so every string read from them is
untrusted. It reaches an output through exactly one of these functions, applied in the render
stage (templates get them as filters, and the template environment escapes anything printed
without one):

| context | function | what it guarantees |
| --- | --- | --- |
| Markdown (text; attributes of raw HTML in it) | `markdown` | no HTML, link, image, footnote, attr_list,
  emphasis or block syntax, no table cell break; one line |
| URL | `doi_url`, `pubmed_url` | only doi.org and pubmed.ncbi.nlm.nih.gov, from validated parts |
| HTML (print document, navigation titles, serve's problem list) | `html_text` | text, never markup |
| CSV cell | `csv_cell` | never read as a spreadsheet formula |
| terminal | `terminal` (used by `problems.format_problem`) | control and direction characters shown as escapes |
| GitHub annotation | `github_property`, `github_message` | no property or command can be closed or started |

Markdown escaping uses numeric character references rather than backslashes: they are inert in
Markdown text, in link and image text, in table cells and inside attribute values of raw HTML
(where Python-Markdown's link patterns run before its raw-HTML pattern), and a browser or
WeasyPrint shows them as the characters they stand for.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

# Characters that mean something to HTML or to Python-Markdown and its extensions (tables,
# attr_list, footnotes, md_in_html, admonition, toc) anywhere in a line.
_ANYWHERE = re.compile(r"[&<>\"'\\`*_{}\[\]|]")
# Characters that only start a block (list item, heading, quote, setext rule) at a line start.
_LINE_START = re.compile(r"^ ?(?:#|!|[+=-]+(?= |$)|[0-9]+[.)](?= |$))")  # `!!! note`: an admonition
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_DOI = re.compile(r"10\.[0-9]{4,9}/[-._;()/:<>A-Za-z0-9]{1,200}")
_PMID = re.compile(r"[1-9][0-9]{0,8}")


def _ref(m: re.Match[str]) -> str:
    return "".join(f"&#{ord(c)};" for c in m.group(0))


def plain(text: Any) -> str:
    """One line of visible text: control, zero-width and direction characters become spaces."""
    return _INVISIBLE.sub(" ", str(text))


def one_line(text: Any) -> str:
    """Visible text on one line, each run of white space one space (as HTML shows them anyway)."""
    return _SPACES.sub(" ", plain(text))


def markdown(text: Any) -> Markup:
    """Untrusted text as inert Markdown (also safe as an attribute value of raw HTML in Markdown)."""
    if isinstance(text, Markup):
        return text
    return _markdown(text if type(text) is str else str(text))


@lru_cache(maxsize=1 << 16)
def _markdown(text: str) -> Markup:
    """`markdown` of a str, remembered: the pages print the same few thousand texts (labels, units,
    'not reported') some hundred thousand times a render."""
    s = _ANYWHERE.sub(_ref, one_line(text))
    return Markup(_LINE_START.sub(_ref, s, count=1))


def html_text(text: Any) -> Markup:
    """Untrusted text for HTML text or a quoted attribute value."""
    if isinstance(text, Markup):
        return text
    return Markup(html.escape(plain(text), quote=True))


def doi_url(doi: str | None) -> str | None:
    """`https://doi.org/...` for a well-formed DOI, else None (never a link to anywhere else)."""
    if doi is None or not _DOI.fullmatch(doi):
        return None
    return "https://doi.org/" + quote(doi, safe="/.-_;:()")


def pubmed_url(pmid: str | None) -> str | None:
    """The PubMed page of a PMID of digits, else None."""
    if pmid is None or not _PMID.fullmatch(pmid):
        return None
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


_PAGE = re.compile(r"https?://[^\s<>\"'`\\]{1,2000}")


def page_url(address: str | None) -> str | None:
    """The address of a page that was read, when it is an http(s) address; anything else is None."""
    if address is None or not _PAGE.fullmatch(address):
        return None
    return quote(address, safe=":/?#[]@!$&()*+,;=%.-_~")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(x: Any) -> Any:
    """A spreadsheet cell: text that would start a formula gets a leading apostrophe."""
    if isinstance(x, str) and x.lstrip(" ").startswith(FORMULA_START):
        return "'" + x
    return x


# Characters a terminal or a log viewer would act on or hide: C0/C1 controls (ESC starts colour and
# title sequences), zero-width and text-direction marks, line separators, and the lone surrogates
# that undecodable file names become.
_TERMINAL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _shown_escaped(c: str) -> str:
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def terminal(text: Any, keep: str = "") -> str:
    """Text for a terminal or a CI log: every control, invisible or direction character (but those in
    `keep`) written as an escape such as \\x1b or \\u202e."""
    return _TERMINAL.sub(lambda m: m.group() if m.group() in keep else _shown_escaped(m.group()), str(text))


def github_property(value: str) -> str:
    """A GitHub workflow-command property (file=, title=): `%`, CR, LF, `:` and `,` escaped, so a file
    name cannot end the property or start a command of its own."""
    return (
        terminal(value)
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def github_message(value: str) -> str:
    """A GitHub workflow-command message: `%`, CR and LF escaped (line breaks kept as %0A)."""
    return terminal(value, keep="\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _finalizer(escaper: Callable[[Any], Markup]) -> Callable[[Any], Any]:
    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, Markup):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Markup(str(value))
        return escaper(value)

    return finalize


# The template environments' defaults: anything printed without a filter is escaped.
finalize = _finalizer(markdown)  # Markdown pages
finalize_html = _finalizer(html_text)  # the print document
