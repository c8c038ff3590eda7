"""The print document laid out in parts: its chapters in groups, each group a WeasyPrint document of its
own in a worker process (peak memory is one part's, not the whole book's), joined by `pdf_join`.

A part is the document's head, the running footer and a run of whole chapters or study sections; a
part that starts inside a chapter carries that chapter's title for its running header. The cover and
contents are laid out last, with the page numbers the parts gave them. Page numbers ("Page n of N")
are stamped on the joined pages, so no part needs to know how many pages came before it.
"""

from __future__ import annotations

import html as htmllib
import multiprocessing
import os
import re
import resource
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from evsynth.core.paths import PDF_DIR

PART_CHARS = 600_000  # print HTML per part: about 100 pages and 400 MB of layout
WORKERS = 2
NUMBERS = 250  # pages per PDF of page numbers
# Re-layouts of the contents until its length stays: it only grows (a number gaining a digit can add a
# line), so each round is rarer than the last; one or two in practice.
SETTLE = 10

_SECTION = re.compile(r'\n(?=<section id="p-)')
# An id in a tag: text never holds a raw "<" (escaped at the HTML boundary), so id="..." in a study's
# words is not taken for an anchor.
_ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"]+)"')
_FOOTER = re.compile(r'<p class="running-footer">.*?</p>', re.S)
_TOC_LINK = re.compile(r'(<li class="toc-level-\d"><a href="#([^"]+)")>')
# A part's own "Page n of N" is hidden: the joined document's numbers are stamped over it.
PART_CSS = "<style>@page { @bottom-right { visibility: hidden; } }</style>"
# The contents with the numbers the parts gave (target-counter cannot see into another part).
TOC_CSS = '<style>.toc a::after { content: leader(".") attr(data-page); }</style>'


@dataclass
class Laid:
    """One part, laid out and written: its PDF, its pages' sizes (pt), the anchors it holds (name ->
    page index) and its bookmarks (level, label, page index, x, y in pt from the page's top left)."""

    pdf: bytes
    sizes: list[tuple[float, float]]
    anchors: dict[str, int]
    bookmarks: list[tuple[int, str, int, float, float]] = field(default_factory=list)
    worker: tuple[int, float, float] = (0, 0.0, 0.0)  # its process: id, CPU s and peak MB so far


@dataclass(frozen=True)
class Split:
    head: str  # up to and with <body>, plus the part stylesheet
    footer: str  # the running footer's text ('' when there is none)
    front: str  # cover (with the running footer) and contents
    sections: list[str]  # each chapter or study section, in order

    def document(self, body: str, carry: str = "", last: bool = False) -> str:
        """A part's HTML. Its first heading also sets the running strings that earlier parts set in one
        document: the footer and, in a part that starts inside a chapter, the chapter's title (an
        inline `string-set`, so that no element is added to the layout or to the tags). The body's
        margins stand only where they stand in one document: at its top and bottom."""
        head = self.head.replace("</head>", _margins(top=False, bottom=last) + "</head>", 1)
        sets = [f"footer {_css_string(self.footer)}"] if self.footer else []
        m = re.search(r"<(h[12])\b", body)
        if m is None:
            return f"{head}\n{body}\n</body>\n</html>\n"
        if m.group(1) == "h1":  # as pdf.css's h1
            sets = ["chapter content()", 'section ""', *sets]
        else:  # as pdf.css's section.level-2 > h2:first-child
            sets = ["section content()", *([f"chapter {_css_string(carry)}"] if carry else []), *sets]
        style = f' style="string-set: {htmllib.escape(", ".join(sets))}"'
        return f"{head}\n{body[: m.end()]}{style}{body[m.end() :]}\n</body>\n</html>\n"


def _margins(top: bool, bottom: bool) -> str:
    rules = ("" if top else " margin-top: 0;") + ("" if bottom else " margin-bottom: 0;")
    return f"<style>body {{{rules} }}</style>\n"


def _css_string(text: str) -> str:
    """`text` as a CSS string."""
    return '"' + re.sub(r'["\\\n]', lambda m: "\\" + {"\n": "A "}.get(m.group(0), m.group(0)), text) + '"'


def split(html: str) -> Split:
    """The print document cut at its chapters and sections."""
    at = html.index("<body>") + len("<body>")
    head = html[:at].replace("</head>", PART_CSS + "\n</head>", 1)
    front, *sections = _SECTION.split(html[at:])
    if sections:
        sections[-1] = sections[-1].replace("</body>", "").replace("</html>", "").rstrip() + "\n"
    footer = _FOOTER.search(front)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", footer.group(0))) if footer else ""
    return Split(head, " ".join(text.split()), front, sections)


def _title(section: str) -> str | None:
    """A chapter's title (None for a study or intervention section)."""
    if not re.match(r'<section id="[^"]*" class="(level-1|bibliography)\b', section):
        return None
    m = re.search(r"<h1[^>]*>(.*?)</h1>", section, re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""


def group(sections: list[str], size: int = PART_CHARS) -> list[tuple[str, str]]:
    """Runs of sections of about `size` characters: (the chapter title to carry, the HTML)."""
    parts: list[tuple[str, str]] = []
    run: list[str] = []
    chapter = carry = ""
    for s in sections:
        if run and sum(map(len, run)) + len(s) > size:
            parts.append((carry, "\n".join(run)))
            run, carry = [], ("" if _title(s) is not None else chapter)
        run.append(s)
        title = _title(s)
        chapter = chapter if title is None else title
    if run:
        parts.append((carry, "\n".join(run)))
    return parts


def anchor_ids(html: str) -> frozenset[str]:
    """The names of the document's anchors: the ids of its elements."""
    return frozenset(_ID.findall(html))


def lay_out(html: str, ids: frozenset[str] = frozenset()) -> Laid:
    """Lay out and write one part (in a worker process); `ids` are the whole document's anchors."""
    from evsynth.publish import pdf

    document = pdf.render(html)
    px = 0.75  # CSS px -> pt
    sizes = [(p.width * px, p.height * px) for p in document.pages]
    anchors: dict[str, int] = {}
    bookmarks = []
    for i, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, i)
        for level, label, (x, y), _state in page.bookmarks:
            bookmarks.append((level, label, i, x * px, y * px))
    _stand_ins(document, anchors, ids)
    data = pdf.write(document)
    use = resource.getrusage(resource.RUSAGE_SELF)
    return Laid(data, sizes, anchors, bookmarks, (os.getpid(), use.ru_utime + use.ru_stime, use.ru_maxrss / 1024))


def _stand_ins(document: Any, anchors: dict[str, int], ids: frozenset[str]) -> None:
    """An anchor on the part's first page for each link into another part, so WeasyPrint keeps the
    link (a named destination); the joined document's destination for the name is the real one. A
    link to an anchor in no part is dropped, as in one document."""
    for page in document.pages:
        for kind, target, _, _ in page.links:
            if kind == "internal" and target not in anchors and target in ids:
                document.pages[0].anchors.setdefault(target, (0, 0, 0, 0))


def numbered_toc(front: str, pages: dict[str, int]) -> str:
    """The contents with each entry's page number as an attribute for `TOC_CSS`."""
    return _TOC_LINK.sub(lambda m: f'{m.group(1)} data-page="{pages.get(m.group(2), "")}">', front)


def front_document(parts: Split, pages: dict[str, int]) -> str:
    head = parts.head.replace("</head>", TOC_CSS + _margins(True, not parts.sections) + "</head>", 1)
    return f"{head}\n{numbered_toc(parts.front, pages)}\n</body>\n</html>\n"


def lay_out_parts(html: str, size: int = PART_CHARS, workers: int = WORKERS) -> tuple[list[Laid], list[bytes]]:
    """Every part laid out, the cover and contents first (its page count decides the others' numbers:
    it is laid out again until the numbers it prints leave its length as it was); and the page
    numbers, in PDFs of `NUMBERS` pages."""
    parts = split(html)
    runs = group(parts.sections, size)
    bodies = [parts.document(body, carry, i == len(runs) - 1) for i, (carry, body) in enumerate(runs)]
    ids = anchor_ids(html)
    # forkserver: the workers start from a fresh process, not a copy of this one (its threads, its heap)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        guess = pool.submit(lay_out, front_document(parts, {}), ids)
        laid = list(pool.map(lay_out, bodies, [ids] * len(bodies)))
        front = guess.result()
        for _ in range(SETTLE):
            pages = first_pages(laid, len(front.sizes))
            again = pool.submit(lay_out, front_document(parts, pages), ids).result()
            done = len(again.sizes) == len(front.sizes)
            front = again
            if done:
                return [front, *laid], number_pages(html, [s for p in [front, *laid] for s in p.sizes], pool)
    raise RuntimeError("the contents' length did not settle")


def first_pages(laid: list[Laid], start: int) -> dict[str, int]:
    """Each anchor's page number (1-based) in the joined document, the parts after `start` pages."""
    pages: dict[str, int] = {}
    for part in laid:
        for name, index in part.anchors.items():
            pages.setdefault(name, start + index + 1)
        start += len(part.sizes)
    return pages


def numbers(head: str, sizes: list[tuple[float, float]], first: int, total: int) -> bytes:
    """A PDF of page numbers alone, "Page `first` of `total`" on its first page and so on, its pages of
    `sizes` (pt) (in a worker process: a few hundred pages at a time)."""
    from evsynth.publish import pdf

    css = (
        "@page { margin: 20mm 15mm 18mm 15mm; "
        f'@bottom-right {{ content: "Page " counter(page) " of {total}"; '
        'font: 7.5pt "DejaVu Sans"; color: #555; } }\n'
        f"@page :first {{ counter-set: page {first}; }}\n"
        + "".join(f"@page s{w:.0f}x{h:.0f} {{ size: {w:.2f}pt {h:.2f}pt; }}\n" for w, h in set(sizes))
    )
    fonts = (PDF_DIR / "pdf.css").read_text(encoding="utf-8").split("\n\n", 1)[0]
    pages = "".join(f'<div style="page: s{w:.0f}x{h:.0f}; break-before: page"></div>' for w, h in sizes)
    return pdf.plain(f"{head}<style>{fonts}\n{css}</style></head><body>{pages}</body></html>")


def number_pages(html: str, sizes: list[tuple[float, float]], pool: Any) -> list[bytes]:
    """The page numbers of a document of pages of `sizes`, in PDFs of `NUMBERS` pages."""
    head = re.sub(r'<link rel="stylesheet"[^>]*>', "", html[: html.index("</head>")])
    starts = range(0, len(sizes), NUMBERS)
    chunks = [sizes[i : i + NUMBERS] for i in starts]
    return list(pool.map(numbers, [head] * len(chunks), chunks, [i + 1 for i in starts], [len(sizes)] * len(chunks)))
