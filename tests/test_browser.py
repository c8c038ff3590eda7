"""The site in headless Chromium (Debian's package): pages load cleanly at desktop and phone widths,
search finds a study by author, served and from disk; each built by Material and by Zensical.
Screenshots are kept in test-artifacts/ (test-artifacts/zensical/) for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, ENGINES, ROOT, open_search, served_site

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {"home": "", "intervention": "interventions/tae/", "study": "studies/mini-2020/"}


_SITE: dict[str, Path] = {}


def _site_root(engine: str = "material") -> Path:
    return _SITE[engine]


def _artifacts(engine: str) -> Path:
    folder = ARTIFACTS if engine == "material" else ARTIFACTS / engine
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[str]:
    """The fixture site built by `engine` and served: one build per engine for the module."""
    out = tmp_path_factory.mktemp(f"browser-site-{engine}")
    _SITE[engine] = out / "site"
    with served_site(out, engine) as url:
        yield url


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors(browser: object, engine: str, base_url: str, name: str, width: str) -> None:
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})  # type: ignore[attr-defined]
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(base_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    assert response is not None and response.status == 200
    assert errors == []
    assert all(u.startswith(base_url) or u.startswith("data:") for u in requests), requests
    assert page.locator("h1").first.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the {width} window"
    page.screenshot(path=str(_artifacts(engine) / f"{name}-{width}.png"), full_page=True)
    page.close()


def test_search_finds_a_study_by_author(browser: object, engine: str, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert "Mini 2020" in open_search(page, engine, "Mini")
    page.screenshot(path=str(_artifacts(engine) / "search-desktop.png"))
    page.close()


def test_studies_table_sorts_and_filters(browser: object, engine: str, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base_url + "studies/")
    page.wait_for_load_state("networkidle")

    def first() -> str:
        return str(page.locator(".sortable tbody tr:not([hidden]) td").first.inner_text())

    assert first() == "Other 2021"  # newest first
    page.click(".sortable th >> nth=1")  # Year, ascending
    assert first() == "Mini 2020"
    page.fill(".table-filter input", "PVP")
    assert page.locator(".sortable tbody tr:not([hidden])").count() == 1
    page.close()


def test_site_works_from_disk_with_search(browser: object, engine: str, base_url: str) -> None:
    """Opened as file:// (no server): navigation and search still work (Material's offline plugin;
    Zensical's search.js)."""
    import urllib.request

    served = urllib.request.urlopen(base_url + "studies/mini-2020/").read().decode()
    assert "Mini 2020" in served
    root = _site_root(engine)
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((root / "index.html").as_uri())
    page.click("a[href$='studies/index.html']")
    assert "Studies" in page.locator("h1").first.inner_text()
    page.goto((root / "index.html").as_uri())
    assert "Mini 2020" in open_search(page, engine, "Mini")
    assert errors == []
    page.close()


# --- figures: the displayed size of their text, and no overflow on a phone ---

FIGURE_PAGES = {"home": "", "compare": "compare/", "intervention": "interventions/pvp-tai-tace/"}
MIN_TEXT_PX = 11.0
_IMAGES = """() => [...document.querySelectorAll('article img')].filter(i => i.currentSrc.endsWith('.svg')).map(i => {
  const s = getComputedStyle(i);
  const content = i.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
    - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
  return {src: i.currentSrc, width: content, right: i.getBoundingClientRect().right, complete: i.complete};
})"""
_HTML_TEXT = """() => [...document.querySelectorAll('.evmap *')].filter(e => [...e.childNodes].some(
  n => n.nodeType === 3 && n.textContent.trim())).filter(e => e.getClientRects().length).map(
  e => [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""
_OVERFLOW = """() => [...document.querySelectorAll('article picture, article img, .evmap, .evmap-table')].filter(
  e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.className || e.tagName)"""


def svg_text_sizes(svg: str) -> tuple[float, list[float]]:
    """The viewBox width of an SVG file and the font size of each of its texts, in user units."""
    import re

    view = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ', svg)
    assert view, "an SVG without a viewBox"
    return float(view.group(1)), [float(s) for s in re.findall(r"font-size: ?([\d.]+)px", svg)]


def _figure_text(page: object, base_url: str, engine: str) -> list[tuple[str, float]]:
    """(figure, smallest text as displayed in px) for every SVG figure on the page: its font size x
    rendered width / viewBox width, read from the file the browser chose."""
    shown = []
    for img in page.evaluate(_IMAGES):  # type: ignore[attr-defined]
        assert img["complete"], img["src"]
        rel = img["src"].removeprefix(base_url)
        view, sizes = svg_text_sizes((_site_root(engine) / rel).read_text(encoding="utf-8"))
        assert sizes, rel
        shown.append((rel, min(sizes) * img["width"] / view))
    return shown


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", FIGURE_PAGES)
def test_figure_text_is_readable_and_figures_fit(
    browser: object, engine: str, base_url: str, name: str, width: str
) -> None:
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})  # type: ignore[attr-defined]
    page.goto(base_url + FIGURE_PAGES[name])
    page.wait_for_load_state("networkidle")
    figures = _figure_text(page, base_url, engine)
    small = [(src, round(px, 1)) for src, px in figures if px < MIN_TEXT_PX]
    assert small == [], f"figure text under {MIN_TEXT_PX} px as displayed at {w} px"
    html_small = [(t, px) for t, px in page.evaluate(_HTML_TEXT) if px < MIN_TEXT_PX]
    assert html_small == []
    assert page.evaluate(_OVERFLOW) == []
    if name != "home":
        assert figures, "no figure measured"
        narrow = [src.endswith("-narrow.svg") for src, _ in figures]
        assert all(narrow) if width == "phone" else not any(narrow)
    else:
        assert page.locator(".evmap a.bubble").count() > 0
    page.screenshot(path=str(_artifacts(engine) / f"figures-{name}-{width}.png"), full_page=True)
    page.close()
