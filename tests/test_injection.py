"""Text from study and BibTeX files is inert everywhere it is rendered: site, PDF, downloads."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import FIXTURES, run_build

EVIL = FIXTURES / "injection"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evil")
    r = run_build("site", "--evidence", str(EVIL / "evidence"), "--references", str(EVIL / "references"),
                  "--out", str(out / "site"), "--work", str(out / "work"))
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "site"


def pages(site: Path) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in site.rglob("*.html")]


def test_no_injected_element_or_handler_reaches_the_html(site: Path) -> None:
    for path, html in pages(site):
        for bad in (r"<script>alert", r"<img src=x", r"<iframe", r"<svg onload", r"<marquee", r"<style>body",
                    r"<b>bold</b>", r"</span><script>", r"<a href='javascript"):
            assert not re.search(bad, html, re.I), (path, bad)
        assert not re.search(r'<[a-z][^>]*\s(href|src|action)\s*=\s*["\']?\s*javascript:', html, re.I), path
        assert not re.search(r"<[a-z]+[^>]*\son(error|load)\s*=", html, re.I), path


def test_injected_text_is_shown_as_text(site: Path) -> None:
    study = (site / "studies" / "evil-2020" / "index.html").read_text(encoding="utf-8")
    assert "&lt;/span&gt;&lt;script&gt;alert(9)&lt;/script&gt;" in study  # a value's note, in its title
    assert "&lt;marquee&gt;ouch&lt;/marquee&gt;" in study
    assert "[click](javascript:alert(8))" in study
    assert "{{ config }}" in study and "loop loop loop" not in study and "&lt;class" not in study
    refs = (site / "references" / "index.html").read_text(encoding="utf-8")
    # pybtex reads {{ }} as LaTeX grouping and drops the braces; nothing is evaluated
    assert "&lt;img src=x onerror=alert(2)&gt;" in refs and "7*7" in refs and "49" not in refs


def test_the_nav_and_titles_escape_labels(site: Path) -> None:
    study = (site / "studies" / "evil-2020" / "index.html").read_text(encoding="utf-8")
    assert study.count("Evil &quot;quoted&quot; &amp; {{ label }} 2020") >= 3  # nav, header, heading
    title = re.search(r"<title>(.*?)</title>", study, re.S).group(1)  # type: ignore[union-attr]
    assert "<" not in title


def test_markup_in_a_label_is_refused() -> None:
    """Material's <title> unescapes the nav title (striptags), so labels may not hold < or >."""
    r = run_build("check", "--evidence", str(FIXTURES / "broken"), "--references", str(FIXTURES / "references"),
                  "--errors-only", str(FIXTURES / "broken" / "label-markup.yaml"))
    assert r.returncode == 1 and "[bad-format] `label`" in r.stdout


def test_doi_cannot_break_out_of_its_link(site: Path) -> None:
    study = (site / "studies" / "evil-2020" / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="(https://doi\.org/[^"]*)"', study):
        assert "<" not in href and '"' not in href


def test_downloads_neutralise_formulas(site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((site / "downloads" / "studies.csv").read_text())))
    assert any(r["note"].startswith("</span>") for r in rows)  # notes kept as text
    comparison = (site / "downloads" / "comparison.csv").read_text()
    assert ",=" not in comparison and ",+" not in comparison and ",@" not in comparison
    events = [r for r in csv.DictReader(io.StringIO((site / "downloads" / "discrepancies.csv").read_text()))]
    assert all(not str(v).startswith(("=", "+", "-", "@")) for r in events for v in r.values())


def test_pdf_prints_the_text_and_runs_nothing(site: Path) -> None:
    pdf = pdfium.PdfDocument(site / "downloads" / "evidence-synthesis.pdf")
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "<marquee>ouch</marquee>" in re.sub(r"\s+", " ", text)
    raw = (site / "downloads" / "evidence-synthesis.pdf").read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw
