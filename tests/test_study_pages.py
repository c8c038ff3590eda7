"""Study pages and the references page, as a reader meets them: the full reference under the heading,
the key results first, how the study was read, long patient tables collapsed; one numbered list of
references; and no internal name (file, study id, JSON path) in any page of the real site."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from conftest import BIBLIOGRAPHY, EVIDENCE, FIXTURES, REFERENCES, run_build
from htmlscan import parse

from evsynth.core.model import Report
from evsynth.pipeline import gather
from evsynth.render.study_view import COLLAPSE_ROWS, how_read


def build_site(out: Path, evidence: Path, references: Path) -> Path:
    r = run_build("site", "--no-pdf", "--evidence", str(evidence), "--references", str(references),
                  "--out", str(out / "site"), "--work", str(out / "work"))  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("fixture-site"), FIXTURES / "evidence", REFERENCES)


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("real-site"), EVIDENCE, BIBLIOGRAPHY)


def article(site: Path, rel: str) -> str:
    """The page's content (no navigation), as the browser shows its text (character references decoded)."""
    html = (site / rel).read_text(encoding="utf-8")
    return unescape(html[html.index("<article") : html.index("</article>")])


def text(html: str) -> str:
    """Visible text: blocks, cells and line breaks apart, inline elements run in."""
    spaced = re.sub(r"<(?:br|/?(?:p|li|ul|ol|div|h[1-6]|table|tr|th|td|summary|details))\b[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", spaced).split())


# --- the study page --------------------------------------------------------------------------------


def test_the_full_reference_and_its_links_come_under_the_heading(site: Path) -> None:
    html = article(site, "studies/mini-2020/index.html")
    head = html[html.index("<h1") : html.index("Key results")]
    assert "Mini A, Other B. A tiny series for the tests. Test J. 2020;1:1-9." in head
    assert '<a href="https://doi.org/10.1234/mini.2020">doi:10.1234/mini.2020</a>' in head
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/12345678/">PMID 12345678</a>' in head
    other = article(site, "studies/other-2021/index.html")
    assert "Other B. Another tiny series. Test J. 2021." in other[other.index("<h1") : other.index("Key results")]


def test_the_key_results_box_comes_before_everything_else(site: Path) -> None:
    for rel in ("studies/mini-2020/index.html", "studies/other-2021/index.html"):
        html = article(site, rel)
        box = html.index('<div class="admonition abstract">')
        assert html.index('<p class="admonition-title">Key results</p>') > box
        assert box < html.index(">How the study was read<") < html.index(">Design<") < html.index(">Population<")


def key_results(site: Path, rel: str) -> str:
    html = article(site, rel)
    start = html.index('<div class="admonition abstract">')
    return html[start : html.index("</div>", start)]


def test_the_key_results_give_each_number_with_its_source(site: Path) -> None:
    mini = key_results(site, "studies/mini-2020/index.html")
    assert re.search(
        r'Patients:</strong> <span class="prov" title="Mini 2020, full text \(Results\)"[^>]*>10</span>', mini
    )
    assert re.search(r'title="Mini 2020, full text \(Table 2\)"[^>]*>6</span>/<span[^>]*>8</span> \(<span', mini)
    assert "pain relief: 6/8 (75%)" in text(mini)
    assert "(time point not stated)" in text(mini)
    assert "Duration of pain relief: 1–6 months" in text(mini)
    assert re.search(r"Pain score, before → after:</strong> <span class=\"nr\">not reported</span>", mini)
    assert re.search(r"Complications:</strong> <span class=\"nr\">not reported</span>", mini)
    other = text(key_results(site, "studies/other-2021/index.html"))
    assert "pain relief: 17/20 (85%) (at 1 month)" in other and "pain relief: 14/19 (74%) (at 6 months)" in other
    assert "VAS 0–10: 7.9 before → 3.1 at 1 week" in other
    assert "2 months–1.5 years (2–18 months)" in other
    assert "asymptomatic cement leakage: 6/31 vertebrae" in other


def test_the_page_says_how_the_study_was_read(site: Path) -> None:
    assert "Read in full text (Mini 2020)." in text(article(site, "studies/mini-2020/index.html"))
    other = text(article(site, "studies/other-2021/index.html"))
    assert "Read from the abstract only (Other 2021), not the full text; also a table in Mini 2020 (Table 3)." in other
    assert re.search(r"Other 2021 \S* abstract only", other) and re.search(
        r"Mini 2020 \S* a table in another paper", other
    )


OWN = Report("own", "mini2020", "full-text", citation_label="Mini 2020")
TABLE = Report("table", "chiras2004", "secondary-table", where="Table 3", citation_label="Chiras 2004")
TEXT = Report("text", "chiras2004", "secondary-text", where="Discussion", citation_label="Chiras 2004")


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ([OWN, TABLE], "Read in full text (Mini 2020); also a table in Chiras 2004 (Table 3)."),
        ([replace(OWN, kind="abstract")], "Read from the abstract only (Mini 2020), not the full text."),
        ([TABLE], "Not read directly: known only through another paper's table (Chiras 2004, Table 3)."),
        ([TEXT], "Not read directly: known only through another paper's text (Chiras 2004, Discussion)."),
        (
            [TABLE, TEXT],
            "Not read directly: known only through another paper's table and text "
            "(Chiras 2004, Table 3; Chiras 2004, Discussion).",
        ),
        ([replace(OWN, kind="metadata")], "Only the article information was read, not the abstract or the full text."),
        (
            [replace(OWN, kind="abstract"), replace(OWN, id="meta", kind="metadata")],
            "Read from the abstract only (Mini 2020), not the full text; also the article information of Mini 2020.",
        ),
    ],
)
def test_how_read_in_words_for_each_kind_of_report(reports: list[Report], expected: str) -> None:
    study = copy.copy(gather(FIXTURES / "evidence", REFERENCES).validated.studies[0])
    study.reports = {r.id: r for r in reports}
    assert how_read(study) == expected


def test_long_patient_tables_are_collapsed_and_short_ones_shown(site: Path) -> None:
    long = article(site, "studies/other-2021/index.html")  # 20 rows
    details = re.search(r'<details class="note patient-rows">\s*<summary>(.*?)</summary>(.*?)</details>', long, re.S)
    assert details and details.group(1) == "Show all 20 patient rows"
    assert details.group(2).count("<tr>") == 20 + 1 > COLLAPSE_ROWS
    short = article(site, "studies/mini-2020/index.html")  # 10 rows
    assert "<details" not in short
    table = short[short.index("Patient-level data") :]
    assert table[: table.index("</table>")].count("<tr>") == 10 + 1


# --- the references page ---------------------------------------------------------------------------


def test_references_are_one_numbered_list_one_entry_per_item(site: Path) -> None:
    html = article(site, "references/index.html")
    assert html.count("<ol") == 1 and html.count("<li") == 3  # the fixture bibliography's three entries
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    assert [text(i)[:12] for i in items] == ["Mini A, Othe", "Other B. Ano", "Partial. 199"]
    assert len(re.findall(r"number", text(html[: html.index("<ol")]))) == 1  # one scheme, said once


def test_an_incomplete_entry_is_flagged_once(site: Path) -> None:
    items = re.findall(r"<li>(.*?)</li>", article(site, "references/index.html"), re.S)
    counts = [len(re.findall("incomplete", text(i), re.I)) for i in items]
    assert counts == [0, 0, 1]
    assert "Only the surname and year are known" in text(items[2])


# --- no internal names in the real site ------------------------------------------------------------

FILE_NAME = re.compile(r"\b[\w.-]+\.(?:md|txt|ya?ml)\b")
JSON_PATH = re.compile(
    r"(?<![/.\w])\b[a-z_]+\.[0-9]+\.[a-z0-9_.]+\b"  # population.1.primaries.0.n (not a DOI's suffix)
    r"|\b(?:population|responses|scores|durations|complications|procedures|intervention|design|patients_table"
    r"|reports|extraction)\.[a-z_][a-z0-9_.]*\b"
)
# Pages whose subject is the repository's files: how to contribute, the study file's fields.
ABOUT_FILES = {"contributing/index.html", "fields/index.html"}


def internal_names(texts: list[str], ids: set[str]) -> list[str]:
    """File names, JSON paths and study ids found in texts."""
    found = [m.group(0) for t in texts for m in FILE_NAME.finditer(t)]
    found += [m.group(0) for t in texts for m in JSON_PATH.finditer(t)]
    words = {w for t in texts for w in re.findall(r"(?<![\w/.-])[a-z]+(?:-[a-z]+)*-[0-9]{4}(?![\w-])", t)}
    return sorted(set(found) | (words & ids))


def leaks(site: Path, rel: str, ids: set[str]) -> list[str]:
    """Internal names in a page's text and in the attributes a reader sees (tooltips, alternatives)."""
    page = parse((site / rel).read_text(encoding="utf-8"))
    shown = [page.all_text] + [
        v for _, attrs in page.elements for k, v in attrs.items() if k in ("title", "data-prov", "alt", "aria-label")
    ]
    return internal_names(shown, ids)


def pages_of(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "assets" not in p.parts)


def test_no_page_names_an_internal_file_study_id_or_json_path(real_site: Path) -> None:
    ids = {p.name for p in (real_site / "studies").iterdir() if p.is_dir()}
    assert ids == {s.id for s in gather(EVIDENCE, BIBLIOGRAPHY).validated.studies}
    found = {rel: leaks(real_site, rel, ids) for rel in pages_of(real_site) if rel not in ABOUT_FILES}
    assert {rel: names for rel, names in found.items() if names} == {}


def test_the_scan_finds_each_kind_of_internal_name(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text(
        "<p>as restated in abstract-facts.md; tian-2017-iran-j-radiol.txt; see chiras-2004 and"
        ' population.1.primaries.0.n</p><span title="design.period.start">1</span>',
        encoding="utf-8",
    )
    assert leaks(tmp_path, "p.html", {"chiras-2004"}) == [
        "abstract-facts.md", "chiras-2004", "design.period.start", "population.1.primaries.0.n",
        "tian-2017-iran-j-radiol.txt",
    ]  # fmt: skip


def test_a_page_read_is_linked_and_a_cut_off_abstract_says_so() -> None:
    from evsynth.render.study_view import pages_read, read_as

    study = copy.copy(gather(FIXTURES / "evidence", REFERENCES).validated.studies[0])
    page = "https://pubmed.ncbi.nlm.nih.gov/123/?x=<b>"
    study.reports = {"abs": replace(OWN, id="abs", kind="abstract", address=page, partial=True), "own": OWN}
    assert read_as(study) == {"abs": "abstract only (cut off: read as far as it goes)", "own": "full text"}
    assert pages_read(study) == {}  # '<' is not part of an address: nothing is linked
    study.reports["abs"] = replace(study.reports["abs"], address="https://pubmed.ncbi.nlm.nih.gov/123/")
    assert pages_read(study) == {"abs": "https://pubmed.ncbi.nlm.nih.gov/123/"}
