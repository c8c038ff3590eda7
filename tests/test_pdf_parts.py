"""The PDF laid out in parts and joined (evsynth/publish/pdf_parts.py, pdf_join.py): the fixture set with
every chapter and study section a part of its own, against the same print document laid out as one
WeasyPrint document: the same pages, text, structure tree and links; the contents' page numbers, the
page numbers and the outline right across the parts."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import FIXTURES, REFERENCES

from evsynth import pipeline
from evsynth.publish import pdf, pdf_join, pdf_parts


@pytest.fixture(scope="module")
def print_html() -> str:
    checked = pipeline.check(FIXTURES / "evidence", REFERENCES)
    return pipeline.print_html(checked, pipeline.build(checked), "1.0.0")


@pytest.fixture(scope="module")
def one(print_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("one") / "one.pdf"
    path.write_bytes(pdf.make_one(print_html)[0])
    return path


@pytest.fixture(scope="module")
def joined(print_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("joined") / "joined.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "NUMBERS", 5)  # the page numbers in PDFs of 5 pages
        data, pages = pdf_join.make_pdf(print_html, size=1)  # every chapter and section a part of its own
    path.write_bytes(data)
    assert pages == len(pdfium.PdfDocument(path))
    return path


def poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=120).stdout


def pages_text(path: Path) -> list[str]:
    return poppler("pdftotext", str(path), "-").split("\f")[:-1]


def squash(text: str) -> str:
    return re.sub(r"[\s\u00ad\u2010\-]+", "", text)


def test_the_fixture_is_cut_into_many_parts(print_html: str) -> None:
    parts = pdf_parts.split(print_html)
    runs = pdf_parts.group(parts.sections, size=1)
    assert len(runs) == len(parts.sections) > 10
    studies = [carry for carry, body in runs if 'class="level-2"' in body[:200] and "p-studies-" in body[:40]]
    assert studies and set(studies) == {"Studies"}  # a study section carries its chapter's running header


def test_parts_print_what_one_document_prints(one: Path, joined: Path) -> None:
    a, b = pdfium.PdfDocument(one), pdfium.PdfDocument(joined)
    assert [p.get_size() for p in a] == [p.get_size() for p in b]
    for i, (x, y) in enumerate(zip(pages_text(one), pages_text(joined), strict=True)):
        assert Counter(x.split()) == Counter(y.split()), i + 1  # running headers, footers and numbers too


def test_every_page_after_the_cover_says_its_number(joined: Path) -> None:
    pages = pages_text(joined)
    assert "Page 1 of" not in pages[0]
    for i, text in enumerate(pages[1:], 2):
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {i} of {len(pages)}"], i


def test_contents_page_numbers_are_where_chapters_start(joined: Path) -> None:
    pages = pages_text(joined)
    doc = pdfium.PdfDocument(joined)
    outline = {b.get_title(): b.get_dest().get_index() for b in doc.get_toc()}
    entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[1], re.M)
    assert len(entries) >= 10
    for title, number in entries:
        title = title.strip()
        assert squash(title)[:30] in squash(pages[int(number) - 1]), title
        assert outline[title] + 1 == int(number), title


def test_the_outline_is_one_documents(one: Path, joined: Path) -> None:
    def marks(path: Path) -> list[tuple[int, str, int]]:
        return [(b.level, b.get_title(), b.get_dest().get_index()) for b in pdfium.PdfDocument(path).get_toc()]

    assert marks(joined) == marks(one)
    assert [t for level, t, _ in marks(joined) if level == 0][-1] == "Bibliography"


def destinations(pdf_file: Any) -> dict[str, int]:
    index = {page.objgen: i for i, page in enumerate(pdf_file.pages)}
    return {str(k): index[v[0].objgen] for k, v in pikepdf.NameTree(pdf_file.Root.Names.Dests).items()}


def annots_of(page: Any) -> list[Any]:
    found: Any = page.obj.get("/Annots")
    return list(found) if found is not None else []


def links(pdf_file: Any) -> list[tuple[int, str]]:
    return [(i, str(a.Dest)) for i, p in enumerate(pdf_file.pages) for a in annots_of(p) if "/Dest" in a]


def test_links_between_parts_resolve_where_one_documents_do(one: Path, joined: Path) -> None:
    with pikepdf.open(one) as a, pikepdf.open(joined) as b:
        dests, targets = destinations(b), links(b)
        assert targets == links(a) and len(targets) > 20
        assert {name for _, name in targets} <= set(dests)
        assert dests == destinations(a)
        across = [(page, name) for page, name in targets if dests[name] != page]
        assert len(across) > 10  # the contents, citations and study links point into other parts


def structure(path: Path) -> str:
    """`pdfinfo -struct-text`, with object numbers and table cell IDs (made of them) left out."""
    text = poppler("pdfinfo", "-struct-text", str(path))
    return re.sub(r"Object \d+ \d+", "Object", re.sub(r"(?<=[(<])(\d+-)+(?=\d+-\d+[)>])", "", text))


def test_the_joined_pdf_is_tagged_as_one_document_is(one: Path, joined: Path) -> None:
    assert re.search(r"^Tagged:\s+yes$", poppler("pdfinfo", str(joined)), re.M)
    assert structure(joined) == structure(one)
    with pikepdf.open(joined) as b:
        root = b.Root.StructTreeRoot
        nums = root.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(root.ParentTreeNextKey) == keys[-1] + 1
        used = [int(p.obj.StructParents) for p in b.pages]
        used += [int(a.StructParent) for p in b.pages for a in annots_of(p) if "/StructParent" in a]
        assert sorted(used) == keys  # every page and link has its own key, and no key is left over
        pages = {p.objgen for p in b.pages}
        ids: list[str] = []
        stack: list[Any] = [root.K[0]]
        while stack:
            element: Any = stack.pop()
            assert "/Pg" not in element or element.Pg.objgen in pages
            ids += [str(element.ID)] if "/ID" in element else []
            kids: Any = element.get("/K")
            for kid in pdf_join._listed(kids):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem":
                    assert kid.P.objgen == element.objgen
                    stack.append(kid)
        assert ids and len(ids) == len(set(ids))  # table cells' IDs, which their /Headers name


def test_anchor_names_come_from_tags_not_from_a_studys_words() -> None:
    html = '<section class="s" id="p-a"><p>note: id="p-b" and &lt;a id="p-c"&gt;</p><h2 id="b-1">x</h2></section>'
    assert pdf_parts.anchor_ids(html) == {"p-a", "b-1"}
