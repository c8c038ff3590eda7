"""The kitchen sink: text from study and BibTeX files is inert everywhere it is rendered.

The fixture `tests/fixtures/injection` holds a study and a BibTeX entry whose every text field
tries to inject HTML, Markdown links and images, attr_list attributes, local files, requests to a
local server and template code. It is built (site and PDF) while a local listener counts requests;
the pages are then read as a browser would (decoded attributes and text) and loaded in Chromium.
"""

from __future__ import annotations

import csv
import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pypdfium2 as pdfium
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURES, run_build, served
from htmlscan import Page, parse_file

from evsynth.publish.site import base_url, theme_scripts

EVIL = FIXTURES / "injection"
PAYLOAD_ATTRIBUTES = ("onmouseover", "onclick", "onerror", "onload", "rel")


class _Counting(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Counting,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, listener: tuple[int, list[str]]) -> Path:
    out = tmp_path_factory.mktemp("evil")
    port, seen = listener
    for folder in ("evidence", "references"):
        (out / folder).mkdir()
        for f in (EVIL / folder).iterdir():
            (out / folder / f.name).write_text(f.read_text().replace("PORT", str(port)))
    r = run_build(
        "site",
        "--evidence",
        str(out / "evidence"),
        "--references",
        str(out / "references"),
        "--out",
        str(out / "site"),
        "--work",
        str(out / "work"),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert seen == [], f"the build made requests: {seen}"
    return out / "site"


def pages(site: Path) -> list[tuple[Path, Page]]:
    return [(p, parse_file(p)) for p in sorted(site.rglob("*.html"))]


def test_no_element_or_attribute_comes_from_the_payloads(site: Path) -> None:
    for path, page in pages(site):
        for tag, attrs in page.elements:
            assert tag not in ("iframe", "marquee", "style", "object", "embed"), (path, tag)
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            for name in ("href", "src", "action"):
                target = attrs.get(name, "").strip().lower()
                assert not target.startswith(("javascript:", "file:", "data:text")), (path, tag, attrs)
                assert "127.0.0.1" not in target and "onmouseover" not in target, (path, tag, attrs)
            assert "position:fixed" not in attrs.get("style", "").replace(" ", ""), (path, tag, attrs)
            assert attrs.get("rel") != "attachment", (path, tag, attrs)


def test_inline_scripts_are_only_the_themes(site: Path) -> None:
    for path, page in pages(site):
        allowed = theme_scripts(base_url(path, site))
        for (_tag, attrs), body in zip([e for e in page.elements if e[0] == "script"], page.scripts):
            if "src" not in attrs and attrs.get("type") != "application/json":
                assert body in allowed, (path, body[:80])
        policy = next(a["content"] for t, a in page.elements if a.get("http-equiv") == "Content-Security-Policy")
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_payloads_are_shown_as_text(site: Path) -> None:
    study = parse_file(site / "studies" / "evil-2020" / "index.html")
    titles = " ".join(a.get("title", "") for _, a in study.elements)
    for payload in (
        "</span><script>alert(9)</script>",
        "[x](onmouseover=alert(21)//)",
        "[s](style=position:fixed;top:0;left:0;width:100%;height:100%;background:red)",
        "[c](file:///etc/passwd){: rel=attachment } ![x",
        "Table 1 [w](onmouseover=alert(20)//)",
    ):
        assert payload in titles, payload
    text = study.all_text
    for payload in (
        "<marquee>ouch</marquee>",
        "[click](javascript:alert(8))",
        "{{ config }}",
        "![i](file:///etc/passwd)",
        "[e](x){: onclick=alert(23) }",
    ):
        assert payload in text, payload
    assert "loop loop loop" not in text and "<class" not in text
    refs = parse_file(site / "references" / "index.html")
    assert "<img src=x onerror=alert(2)>" in refs.all_text and "7*7" in refs.all_text
    assert '[z](onmouseover=alert(25)//) "quote' in refs.all_text  # what an incomplete entry lacks, in words
    assert '[z](onmouseover=alert(25)//) "quote' in titles  # and in the footnote's tooltip


def test_a_pipe_stays_inside_its_table_cell(site: Path) -> None:
    html = (site / "studies" / "evil-2020" / "index.html").read_text(encoding="utf-8")
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if "ouch" in r)
    cell = next(c for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) if "ouch" in c)
    assert "| cell" in re.sub(r"&#124;", "|", cell)


def test_the_nav_and_titles_escape_labels(site: Path) -> None:
    html = (site / "studies" / "evil-2020" / "index.html").read_text(encoding="utf-8")
    assert html.count("Evil &quot;quoted&quot; &amp; O&#x27;Co 2020") >= 2  # nav, header
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)  # type: ignore[union-attr]
    assert "<" not in title and "&amp;" in title


def test_markup_in_a_label_is_refused() -> None:
    r = run_build(
        "check",
        "--evidence",
        str(FIXTURES / "broken"),
        "--references",
        str(FIXTURES / "references"),
        "--errors-only",
        str(FIXTURES / "broken" / "label-markup.yaml"),
    )
    assert r.returncode == 1 and "[bad-format] `label`" in r.stdout


def test_an_invalid_doi_gets_no_link(site: Path) -> None:
    for path, page in pages(site):
        for _, attrs in page.elements:
            href = attrs.get("href", "")
            if "doi.org" in href:
                assert re.fullmatch(r"https://doi\.org/10\.[0-9]{4,9}/[-._;()/:A-Za-z0-9%]+", href), (path, href)


def test_downloads_neutralise_formulas(site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((site / "downloads" / "studies.csv").read_text())))
    assert any(r["note"].startswith("</span>") for r in rows)  # notes kept as text
    comparison = (site / "downloads" / "comparison.csv").read_text()
    assert ",=" not in comparison and ",+" not in comparison and ",@" not in comparison
    events = list(csv.DictReader(io.StringIO((site / "downloads" / "discrepancies.csv").read_text())))
    assert all(not str(v).startswith(("=", "+", "-", "@")) for r in events for v in r.values())


def test_pdf_prints_the_text_and_embeds_nothing(site: Path) -> None:
    path = site / "downloads" / "evidence-synthesis.pdf"
    pdf = pdfium.PdfDocument(path)
    text = re.sub(r"\s+", " ", " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    assert "<marquee>ouch</marquee>" in text and "![i](file:///etc/passwd)" in text
    assert 'Evil "quoted" & O\'Co 2020' in text and "&amp;" not in text  # contents, bookmarks, headings
    assert pdf.count_attachments() == 0
    raw = path.read_bytes()
    for marker in (b"/JavaScript", b"/JS ", b"/EmbeddedFile", b"/Launch", b"/URI (file:"):
        assert marker not in raw, marker


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_no_script_runs_in_a_browser(site: Path) -> None:
    """Load every page of the kitchen sink, hover and click every payload: no dialog, no script
    error, no CSP violation, no request outside the site."""
    from playwright.sync_api import sync_playwright

    events: list[str] = []
    with served(site) as root, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()

        def on_dialog(d: Any) -> None:
            events.append(f"dialog {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: events.append(f"console {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: events.append(f"pageerror {e}"))
        page.on("request", lambda r: None if r.url.startswith((root, "data:", "blob:")) else events.append(r.url))
        for rel in ("", "studies/evil-2020/", "references/", "interventions/tae/", "compare/", "data-quality/"):
            page.goto(root + rel)
            page.wait_for_load_state("networkidle")
            for el in page.query_selector_all("article span, article a, article td")[:300]:
                el.dispatch_event("mouseover")
        page.goto(root + "studies/evil-2020/")
        page.fill("input[data-md-component=search-query]", "alert")
        page.wait_for_timeout(1500)
        browser.close()
    assert events == []


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_the_provenance_popover_shows_payloads_as_text(site: Path) -> None:
    """Focus and tap every number of the kitchen sink: its popover holds the source as text only."""
    from playwright.sync_api import sync_playwright

    events: list[str] = []
    with served(site) as root, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(has_touch=True).new_page()

        def on_dialog(d: Any) -> None:
            events.append(f"dialog {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: events.append(f"console {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: events.append(f"pageerror {e}"))
        page.goto(root + "studies/evil-2020/")
        page.wait_for_load_state("networkidle")
        numbers = page.locator(".prov[data-prov]")
        assert numbers.count() > 0
        shown = []
        for i in range(numbers.count()):
            number = numbers.nth(i)
            if i % 2:
                number.focus()
            else:
                number.tap()
            tip = page.evaluate(
                "(() => { const t = document.querySelector('#prov-tip'); return [t.children.length, t.textContent] })()"
            )
            assert tip == [0, number.get_attribute("data-prov")]
            shown.append(tip[1])
        browser.close()
    assert any("<script>" in s or "onmouseover" in s for s in shown)
    assert events == []


def test_no_block_syntax_from_study_text(site: Path) -> None:
    """`!!! danger retracted` at the start of a line made an admonition with classes of the author's choosing."""
    for _path, page in pages(site):
        classes = " ".join(a.get("class", "") for _, a in page.elements)
        assert "retracted" not in classes and "md-header md-typeset" not in classes.replace("md-header md-header", "")


def test_the_ris_download_holds_one_record_per_entry(site: Path) -> None:
    """A title with `\\par ER  - ... TY  - JOUR` could close its record and start a forged one."""
    lines = (site / "downloads" / "references.ris").read_text().splitlines()
    assert all(line == "" or re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    assert sum(line.startswith("TY  - ") for line in lines) == sum(line.startswith("ER  - ") for line in lines) == 2
    assert not any(line.startswith(("UR  - ", "L1  - ")) for line in lines)


def test_print_document_ids_are_unique_and_text_cannot_take_an_anchor(tmp_path: Path) -> None:
    """A score named `ref-evil2020` or `p-bibliography` became a heading whose id captured the
    bibliography's links in the PDF (WeasyPrint uses the first anchor of a name)."""
    from evsynth import pipeline

    checked = pipeline.check(EVIL / "evidence", EVIL / "references")
    html = pipeline.print_html(checked, pipeline.build(checked), "test")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert ids.count("p-bibliography") == 1 and ids.count("ref-evil2020") == 1
    assert html.index('id="p-bibliography"') > html.index('id="p-studies-evil-2020--ref-evil2020"')
