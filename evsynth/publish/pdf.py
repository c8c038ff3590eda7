"""Publish the PDF: lay out the print document with WeasyPrint, loading nothing but the build's own files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from evsynth.core.paths import PDF_DIR

FONTS_CONF = PDF_DIR / "fonts" / "fonts.conf"


def _fetcher(root: Path = PDF_DIR) -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and files under `root`, and refuses the rest.

    The print HTML holds links and images from untrusted text only as escaped text, but whatever
    slips through can neither embed a local file (`file:///etc/passwd`) nor make a request.
    """
    from weasyprint.urls import URLFetcher

    class BuildFilesOnly(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if _allowed(url, root.resolve()):
                return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError("the PDF loads only the build's own files")

    return BuildFilesOnly()


def _allowed(url: str, root: Path) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return path.is_relative_to(root) and path.is_file()


# A tagged PDF (PDF/UA-1): headings, lists, tables and reading order for screen readers.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


@contextmanager
def _cached_page_references() -> Iterator[None]:
    """While writing, `pydyf.PDF.page_references` built from a cache: pydyf rebuilds the tuple of every
    page's reference on each access, and WeasyPrint's tagging reads it once per tagged box, so writing
    cost pages x boxes (quadratic in the document's size). The cache holds while no page is added."""
    import pydyf  # type: ignore[import-untyped]

    original = pydyf.PDF.page_references
    cache: dict[int, tuple[int, tuple[bytes, ...]]] = {}

    def page_references(pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        hit = cache.get(id(pdf))
        if hit is None or hit[0] != len(kids):
            hit = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            cache[id(pdf)] = hit
        return hit[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


def render(html: str) -> Any:
    """Lay out the print document with the shipped fonts only (a WeasyPrint `Document`)."""
    os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)  # read when Pango first loads fonts
    from weasyprint import HTML

    return HTML(string=html, base_url=str(PDF_DIR) + "/", url_fetcher=_fetcher()).render()


def write(document: Any) -> bytes:
    """The laid-out document's PDF, tagged for accessibility (PDF/UA-1: structure tree, language,
    title shown in the window)."""
    with _cached_page_references():
        return bytes(document.write_pdf(**PDF_OPTIONS))


def plain(html: str) -> bytes:
    """An untagged PDF of `html` (the page numbers stamped on the joined document are artifacts)."""
    return bytes(render(html).write_pdf())


def make_one(html: str) -> tuple[bytes, int]:
    """Lay out and write `html` as one document: the PDF's bytes and its number of pages."""
    document = render(html)
    return write(document), len(document.pages)
