"""The built site, from the fixture evidence set: content, provenance, citations, escaping, addresses.
Addresses, search index, external requests, leaks and the CSP are checked on both engines."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from conftest import ENGINES, FIXTURES, REFERENCES, run_build
from htmlscan import parse

PAGES = [
    "index.html",
    "studies/index.html",
    "studies/mini-2020/index.html",
    "studies/other-2021/index.html",
    "interventions/tae/index.html",
    "interventions/pvp-tai-tace/index.html",
    "data-quality/index.html",
    "references/index.html",
    "downloads/index.html",
    "methods/index.html",
    "glossary/index.html",
    "compare/index.html",
    "tables/index.html",
    "agents/index.html",
    "agents/pva/index.html",
    "primaries/index.html",
    "contributing/index.html",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture-site")
    r = run_build(
        "site",
        "--evidence",
        str(FIXTURES / "evidence"),
        "--references",
        str(REFERENCES),
        "--out",
        str(out / "site"),
        "--work",
        str(out / "work"),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING" not in r.stderr
    return out / "site"


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture-zensical")
    r = run_build("site", "--no-pdf", "--engine", "zensical", "--evidence", str(FIXTURES / "evidence"),
                  "--references", str(REFERENCES), "--out", str(out / "site"), "--work", str(out / "work"))  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Warning" not in r.stderr
    return out / "site"


@pytest.fixture(scope="module", params=ENGINES)
def each_site(request: pytest.FixtureRequest) -> Path:
    """The fixture site as each engine builds it (Material's is the `site` fixture, with its PDF)."""
    return Path(request.getfixturevalue("site" if request.param == "material" else "zensical_site"))


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("rel", PAGES)
def test_stable_addresses_exist(site: Path, rel: str) -> None:
    assert (site / rel).is_file()


def test_both_engines_put_every_page_at_the_same_address(site: Path, zensical_site: Path) -> None:
    def pages(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*.html")}

    assert pages(zensical_site) == pages(site) >= set(PAGES)


def test_zensical_copies_our_css_js_and_figures(site: Path, zensical_site: Path) -> None:
    html = page(zensical_site, "interventions/tae/index.html")
    for asset in ("assets/site.css", "assets/tables.js", "assets/prov.js"):
        assert f'"../../{asset}"' in html
        assert (zensical_site / asset).read_bytes() == (site / asset).read_bytes()
    figures = {p.name for p in (site / "figures").iterdir()}
    assert figures and figures == {p.name for p in (zensical_site / "figures").iterdir()}
    assert 'src="../../figures/forest-pain-relief-tae.svg"' in html


def test_study_page_shows_numbers_with_their_provenance(site: Path) -> None:
    html = page(site, "studies/mini-2020/index.html")
    assert re.search(
        r'<span class="prov" title="Mini 2020, full text \(Table 2\)"[^>]*>6</span>/'
        r'<span class="prov" title="Mini 2020, full text \(Table 2\)"[^>]*>8</span>',
        html,
    )
    assert 'title="Mini 2020, full text (Results)" data-prov="Mini 2020, full text (Results)">10</span>' in html
    assert "1–6 months" in html


def test_study_page_cites_in_a_medical_style_with_links(site: Path) -> None:
    html = unescape(page(site, "studies/mini-2020/index.html"))  # as the browser shows it
    assert "Mini A, Other B. A tiny series for the tests. Test J. 2020;1:1-9." in html
    assert '<a href="https://doi.org/10.1234/mini.2020">doi:10.1234/mini.2020</a>' in html
    assert 'class="footnote-ref"' in html


def test_secondary_reports_and_discrepancy_free_study(site: Path) -> None:
    html = unescape(page(site, "studies/other-2021/index.html"))
    assert "Listed as 'Other (2021)'." in html
    assert "None found." in html
    assert "2 months–1.5 years (2–18 months)" in html


def test_untrusted_text_is_inert(site: Path) -> None:
    html = page(site, "studies/other-2021/index.html")
    shown = parse(html).all_text
    assert "<b>markup</b>" not in html and "<b>markup</b>" in shown
    assert not re.search(r'href="\s*javascript:', html, re.I)
    assert "[a link](javascript:alert(1))" in shown  # shown as the text it is


def test_home_gives_a_decision_table(site: Path) -> None:
    html = unescape(page(site, "index.html"))
    assert "What each treatment achieved" in html
    assert "6/8 (75%)" in html  # mini-2020: 6 of 8 patients, its own proportion
    assert "⊕◯◯◯" in html and "very low" in html
    assert "May relieve pain, but the evidence is very uncertain." in html
    assert "No literature search is recorded with this evidence" in html  # the fixture set has no log


def test_the_summary_of_findings_has_grades_form(site: Path) -> None:
    html = unescape(page(site, "interventions/tae/index.html"))
    assert "75 per 100 (95% CI 35 to 97)" in html  # mini-2020: 6/8 with its exact interval
    assert "6 of 8 patients; single study, not pooled" in html
    assert "Imprecision, −2: 8 patients, below the optimal information size; 95% CI 35 to 97 per 100 is wide" in html
    assert "Serious complications" in html  # harms rows stay, with or without data


def test_intervention_page_has_summary_of_findings_and_forest_plot(site: Path) -> None:
    html = page(site, "interventions/tae/index.html")
    assert "Summary of findings" in html and "no comparison group" in html
    assert 'src="../../figures/forest-pain-relief-tae.svg"' in html  # its own subgroups; narrow on a phone
    assert 'media="(max-width: 720px)" srcset="../../figures/forest-pain-relief-tae-narrow.svg"' in html
    assert re.search(r'alt="Forest plot: Pain relief: TAE\. [^"]*Mini 2020, not stated, 6/8: 75 &#91;35, 97&#93;', html)
    assert "Single study, not pooled" in html


def test_comparison_has_a_forest_plot_per_outcome_and_home_an_evidence_map(site: Path) -> None:
    html = page(site, "compare/index.html")
    assert 'src="../figures/forest-pain-relief.svg"' in html and 'id="forest-pain-relief"' in html
    home = page(site, "index.html")
    assert re.search(r'<a class="bubble" href="interventions/tae/index\.html#forest-pain-relief"', home)
    assert "Patients in the series:" in home


def test_references_flag_incomplete_entries(site: Path) -> None:
    html = page(site, "references/index.html")
    assert "Partial. 1999." in html and "(incomplete: Only the surname and year are known)" in html


def test_site_makes_no_request_to_another_host(each_site: Path) -> None:
    for f in each_site.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text):
            m = re.search(r'(?:src|href)="([^"]+)"', tag)
            assert not (m and re.match(r"(https?:)?//", m.group(1))), (f, tag)


# The search index as a script, so search works from disk (file://): Material's offline plugin, Zensical's own.
SEARCH_SCRIPT = {"material": "search/search_index.js", "zensical": "search.js"}


@pytest.mark.parametrize("engine", ENGINES)
def test_search_index_and_offline_bundle(request: pytest.FixtureRequest, engine: str) -> None:
    site = Path(request.getfixturevalue("site" if engine == "material" else "zensical_site"))
    assert "Mini 2020" in page(site, SEARCH_SCRIPT[engine])
    assert (site / "assets" / "vendor" / "iframe-worker" / "shim.js").is_file()
    assert 'href="studies/index.html"' in page(site, "index.html")  # links name the file, as from disk


def test_no_markdown_syntax_leaks_into_pages(each_site: Path) -> None:
    for f in each_site.rglob("*.html"):
        text = re.sub(r"<[^>]+>", " ", f.read_text(encoding="utf-8"))
        assert "{:" not in text and "[^" not in text and "{{" not in text and "{%" not in text, f


def test_every_page_has_a_csp_forbidding_unlisted_inline_script(each_site: Path) -> None:
    import base64
    import hashlib

    for f in each_site.rglob("*.html"):
        html = f.read_text(encoding="utf-8")
        m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert m, f
        script_src = re.search(r"script-src ([^;]+)", m.group(1)).group(1)  # type: ignore[union-attr]
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "object-src 'none'" in m.group(1) and "base-uri 'self'" in m.group(1)
        for attrs, body in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S):
            if "application/json" in attrs:
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src, f
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html), f  # no inline event handlers


def test_data_quality_ranks_findings_and_links_the_pages_they_touch(site: Path) -> None:
    html = page(site, "data-quality/index.html")
    assert "Descriptive only" in html or "Changes a number the synthesis uses" in html or "None found" in html
    for link in re.findall(r'<a href="\.\./studies/[^"]+">([^<]+)</a>', html):
        assert not re.fullmatch(r"[a-z0-9-]+", link)  # study names, never slugs
