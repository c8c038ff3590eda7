"""The site in headless Chromium (Debian's package): pages load cleanly at desktop and phone widths,
search finds a study by author. Screenshots are kept in test-artifacts/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, served_site

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {"home": "", "intervention": "interventions/tae/", "study": "studies/mini-2020/"}


_SITE: list[Path] = []


def _site_root() -> Path:
    return _SITE[0]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("browser-site")
    _SITE[:] = [out / "site"]
    with served_site(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors(browser: object, base_url: str, name: str, width: str) -> None:
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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.close()


def test_search_finds_a_study_by_author(browser: object, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.click(".md-search__input")
    page.keyboard.type("Mini", delay=30)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    results = page.inner_text(".md-search-result__list")
    assert "Mini 2020" in results
    page.screenshot(path=str(ARTIFACTS / "search-desktop.png"))
    page.close()


def test_studies_table_sorts_and_filters(browser: object, base_url: str) -> None:
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


def test_site_works_from_disk_with_search(browser: object, base_url: str) -> None:
    """Opened as file:// (no server): navigation and search still work (Material's offline plugin)."""
    import urllib.request

    served = urllib.request.urlopen(base_url + "studies/mini-2020/").read().decode()
    assert "Mini 2020" in served
    root = _site_root()
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((root / "index.html").as_uri())
    page.click("a[href$='studies/index.html']")
    assert "Studies" in page.locator("h1").first.inner_text()
    page.goto((root / "index.html").as_uri())
    page.click(".md-search__input")
    page.keyboard.type("Mini", delay=30)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    assert "Mini 2020" in page.inner_text(".md-search-result__list")
    assert errors == []
    page.close()
