"""The offline PDF, built from the fixture set (exact expectations) and from the real evidence (invariants:
the repository's, or EVSYNTH_EVIDENCE and EVSYNTH_REFERENCES)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import BIBLIOGRAPHY, EVIDENCE, FIXTURES, REFERENCES, run_build

from evsynth.cite.vancouver import format_reference
from evsynth.load import files as load
from evsynth.pipeline import gather


def build(tmp: Path, evidence: Path, references: Path) -> Path:
    out = tmp / "evidence-synthesis.pdf"
    r = run_build("pdf", "--evidence", str(evidence), "--references", str(references), "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert re.search(r"wrote .*: \d+ pages in [\d.]+ s", r.stderr)
    return out


@pytest.fixture(scope="module")
def real_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("pdf"), EVIDENCE, BIBLIOGRAPHY)


@pytest.fixture(scope="module")
def real(real_path: Path) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(real_path)


@pytest.fixture(scope="module")
def fixture_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("pdf-fixture"), FIXTURES / "evidence", REFERENCES)


@pytest.fixture(scope="module")
def fixture_pdf(fixture_path: Path) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(fixture_path)


def text_of(pdf: pdfium.PdfDocument) -> list[str]:
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def squash(text: str) -> str:
    """Text without spaces, line-break hyphens or soft hyphens, for robust matching."""
    return re.sub(r"[\s\u00ad\u2010\-]+", "", text)


def outline(pdf: pdfium.PdfDocument) -> list[tuple[int, str, int]]:
    return [(b.level, b.get_title(), b.get_dest().get_index()) for b in pdf.get_toc()]


def test_every_study_is_in_the_text_with_first_author_and_year(real: pdfium.PdfDocument) -> None:
    text = squash(" ".join(text_of(real)))
    for s in gather(EVIDENCE, BIBLIOGRAPHY).validated.studies:
        assert squash(s.label) in text, s.label


def test_every_bibliography_entry_is_printed(real: pdfium.PdfDocument) -> None:
    text = squash(" ".join(text_of(real)))
    bib, _ = load.load_bibliography(load.read_files(load.bib_paths(BIBLIOGRAPHY))[0])
    assert bib.entries
    for key, entry in bib.entries.items():
        assert squash(format_reference(entry))[:60] in text, key


def seed_label() -> str:
    """The label of the seed paper whose tables the real evidence reproduces."""
    from evsynth import pipeline

    gathered = gather(EVIDENCE, BIBLIOGRAPHY)
    seed = pipeline.synthesis(gathered).seed_source
    return next(s.label for s in gathered.validated.studies if s.citation == seed)


def test_outline_has_every_chapter_and_study(real: pdfium.PdfDocument) -> None:
    marks = outline(real)
    top = [t for level, t, _ in marks if level == 0]
    assert top == [
        "Contents",
        "Image-guided palliation of bone and spinal metastases",
        "Interventions",
        "Studies",
        f"The tables of {seed_label()}, regenerated",
        "Compare every study",
        "Agents and drugs",
        "Primary tumours",
        "Data quality",
        "Methods and definitions",
        "Literature search",
        "Glossary",
        "Bibliography",
    ]
    studies = [t for level, t, _ in marks if level == 1]
    for s in gather(EVIDENCE, BIBLIOGRAPHY).validated.studies:
        assert s.label in studies


def test_contents_page_numbers_point_at_the_right_pages(real: pdfium.PdfDocument) -> None:
    pages = text_of(real)
    contents = next(i for i, t in enumerate(pages) if t.lstrip().startswith("Contents"))
    entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[contents], re.M)
    assert len(entries) >= 30
    marks = {title: index for _, title, index in outline(real)}
    for title, number in entries:
        title = title.strip()
        assert marks[title] + 1 == int(number), title
        assert squash(title)[:30] in squash(pages[int(number) - 1]), title


def test_no_text_outside_the_page_box(real: pdfium.PdfDocument) -> None:
    outside = []
    for i in range(len(real)):
        page = real[i]
        width, height = page.get_width(), page.get_height()
        tp = page.get_textpage()
        for c in range(tp.count_chars()):
            left, bottom, right, top = tp.get_charbox(c)
            if left < -0.5 or bottom < -0.5 or right > width + 0.5 or top > height + 0.5:
                outside.append((i + 1, tp.get_text_range(c, 1)))
    assert outside == []


def test_chapters_and_the_bibliography_start_their_own_pages(real: pdfium.PdfDocument) -> None:
    starts = [index for level, _, index in outline(real) if level == 0]
    assert len(starts) == len(set(starts))  # no two chapters share a first page
    bib = next(index for level, title, index in outline(real) if title == "Bibliography")
    first = real[bib].get_textpage().get_text_range()
    assert "Glossary" not in first and "[1] " in first


def test_wide_tables_go_to_landscape_pages(real: pdfium.PdfDocument) -> None:
    pages = text_of(real)
    table4 = next(i for i, t in enumerate(pages) if "Table 4: chemoembolization" in t)
    assert real[table4].get_width() > real[table4].get_height()
    cover = real[0]
    assert cover.get_width() < cover.get_height()


def test_each_study_chapter_cites_its_reference_by_its_bibliography_number(
    real_path: Path, real: pdfium.PdfDocument
) -> None:
    pages = text_of(real)
    bib_start = next(index for level, title, index in outline(real) if title == "Bibliography")
    numbered = re.findall(r"\[(\d+)\] ([A-Z][^\n]{5,})", " ".join(pages[bib_start:]))
    gathered = gather(EVIDENCE, BIBLIOGRAPHY)
    for s in gathered.validated.studies:
        formatted = squash(format_reference(gathered.bib.entries[s.citation]))[:40]
        (number,) = {n for n, first in numbered if squash(first)[: len(formatted)] == formatted}
        assert f"[{number}]" in chapter_text(real_path, real, s.label), s.label


def test_links_work_inside_and_out(real: pdfium.PdfDocument) -> None:
    import pdfplumber

    from evsynth.core.escape import doi_url, pubmed_url

    path = real._input
    with pdfplumber.open(path) as pdf:
        annots = [a for page in pdf.pages for a in page.annots]
    uris = {a.get("uri") for a in annots if a.get("uri")}
    internal = [a for a in annots if not a.get("uri")]
    gathered = gather(EVIDENCE, BIBLIOGRAPHY)
    for s in gathered.validated.studies:
        fields = gathered.bib.entries[s.citation].fields
        for url in (doi_url(fields.get("doi")), pubmed_url(fields.get("pmid"))):
            assert url is None or url in uris, url
    assert len(internal) > len(gathered.validated.studies)  # contents, cross references, citations


def test_cover_says_what_and_when(fixture_pdf: pdfium.PdfDocument) -> None:
    cover = fixture_pdf[0].get_textpage().get_text_range()
    assert "Evidence as extracted on" in cover and "2026-01-02" in cover
    assert re.search(r"Studies\s+2", cover) and re.search(r"Patients\s+30", cover)
    assert re.search(r"Version\s+\d+\.\d+\.\d+", cover)


def test_pdf_is_in_the_site_downloads(tmp_path: Path) -> None:
    r = run_build(
        "site",
        "--evidence",
        str(FIXTURES / "evidence"),
        "--references",
        str(REFERENCES),
        "--out",
        str(tmp_path / "site"),
        "--work",
        str(tmp_path / "work"),
    )
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "site" / "downloads" / "evidence-synthesis.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    page = tmp_path / "site" / "downloads" / "index.html"
    href = re.search(r'href="([^"]*evidence-synthesis\.pdf)"', page.read_text()).group(1)  # type: ignore[union-attr]
    assert (page.parent / href).resolve() == pdf.resolve()


def test_the_pdf_fetches_only_the_builds_own_files(tmp_path: Path) -> None:
    from evsynth.core.paths import PDF_DIR
    from evsynth.publish.pdf import _allowed

    root = PDF_DIR.resolve()
    assert _allowed((PDF_DIR / "pdf.css").as_uri(), root)
    assert _allowed((PDF_DIR / "fonts" / "dejavu-sans-mono-400-normal.ttf").as_uri(), root)
    assert _allowed("data:image/svg+xml;base64,PHN2Zy8+", root)
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    link = PDF_DIR / "fonts" / "does-not-exist.ttf"
    for url in (
        "file:///etc/passwd",
        outside.as_uri(),
        (PDF_DIR / ".." / ".." / "README.md").as_uri(),
        link.as_uri(),
        "http://127.0.0.1:1/x.png",
        "https://example.org/x.css",
        "ftp://127.0.0.1/x",
        "file://evil.example/etc/passwd",
    ):
        assert not _allowed(url, root), url


def test_every_font_in_the_pdf_is_shipped(fixture_pdf: pdfium.PdfDocument, tmp_path: Path) -> None:
    import pdfplumber
    from fontTools.ttLib import TTFont

    from evsynth.core.paths import PDF_DIR

    families = {str(TTFont(f)["name"].getDebugName(1)).replace(" ", "") for f in (PDF_DIR / "fonts").glob("*.ttf")}
    path = build(tmp_path, FIXTURES / "injection" / "evidence", FIXTURES / "injection" / "references")
    with pdfplumber.open(path) as pdf:  # WeasyPrint names them 'ABCDEF+DejaVu-Sans-Bold'
        used = {c["fontname"].split("+", 1)[-1].replace("-", "") for page in pdf.pages for c in page.chars}
    styles = ("", "Bold", "Italic", "Oblique", "BoldItalic", "BoldOblique")
    assert used and all(any(u == f + s for f in families for s in styles) for u in used), (used, families)
    assert "DejaVuSansMono" in families


def test_pdf_alone_never_writes_into_a_built_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    (site / "sitemap.xml").write_text("<urlset/>")
    target = site / "downloads" / "evidence-synthesis.pdf"
    r = run_build(
        "pdf", "--evidence", str(FIXTURES / "evidence"), "--references", str(REFERENCES), "--output", str(target)
    )
    assert r.returncode == 1 and "build.py site" in r.stderr and not target.exists()


# Poppler's tools, as a reader's PDF software and a screen reader's see the file (installed by `make test`).


def poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=120).stdout


def chapter_text(path: Path, pdf: pdfium.PdfDocument, title: str) -> str:
    """pdftotext of a chapter or section: from its bookmark's page to the page before the next bookmark's."""
    marks = outline(pdf)
    i = next(i for i, (_, t, _) in enumerate(marks) if t == title)
    first = marks[i][2] + 1
    last = max(first, marks[i + 1][2]) if i + 1 < len(marks) else len(pdf)
    return poppler("pdftotext", "-f", str(first), "-l", str(last), str(path), "-")


def test_the_pdf_is_tagged_for_screen_readers(fixture_path: Path) -> None:
    info = poppler("pdfinfo", str(fixture_path))
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Title:\s+\S", info, re.M)  # PDF/UA: a title to show in the window


@pytest.mark.parametrize("evidence", ["fixture", "real"])
def test_each_study_chapter_shows_its_full_reference(evidence: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(f"{evidence}_path")
    pdf: pdfium.PdfDocument = request.getfixturevalue("fixture_pdf" if evidence == "fixture" else "real")
    folders = (FIXTURES / "evidence", REFERENCES) if evidence == "fixture" else (EVIDENCE, BIBLIOGRAPHY)
    gathered = gather(*folders)
    for s in gathered.validated.studies:
        formatted = format_reference(gathered.bib.entries[s.citation])
        assert squash(formatted) in squash(chapter_text(path, pdf, s.label)), (s.label, formatted)


def test_print_says_in_brackets_where_the_screen_says_point_at(
    fixture_path: Path, fixture_pdf: pdfium.PdfDocument
) -> None:
    for title in ("Mini 2020", "Other 2021"):
        text = " ".join(chapter_text(fixture_path, fixture_pdf, title).split())
        assert "follows it in brackets" in text, title
        assert not re.search(r"hover|point at|tap |Show all", text, re.I), title
        assert "Key results" in text


def test_long_patient_tables_print_in_full(fixture_path: Path, fixture_pdf: pdfium.PdfDocument) -> None:
    text = chapter_text(fixture_path, fixture_pdf, "Other 2021")  # its 20 rows are collapsed on screen
    assert text.count("lumbar spine") == 10 and text.count("thoracic spine") == 10


def test_table_headers_break_between_words_never_inside_one(
    fixture_path: Path, fixture_pdf: pdfium.PdfDocument
) -> None:
    text = chapter_text(fixture_path, fixture_pdf, "The tables of Mini 2020, regenerated")
    # Table 4's narrow columns once printed 'Literat-ure', 'pa-tients', 'meta-stases', 'infu-sions', 'evalu-able'
    for word in ("Literature", "patients", "metastases", "infusions", "evaluable"):
        assert word in text, word


def test_no_internal_file_name_study_id_or_json_path_in_print(real_path: Path, real: pdfium.PdfDocument) -> None:
    from test_study_pages import internal_names

    ids = {s.id for s in gather(EVIDENCE, BIBLIOGRAPHY).validated.studies}
    pages = poppler("pdftotext", str(real_path), "-").split("\f")
    found = {n + 1: internal_names([t], ids) for n, t in enumerate(pages)}
    assert {page: names for page, names in found.items() if names} == {}
