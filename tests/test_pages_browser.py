"""The pages a clinician reads, in headless Chromium (Debian's package) at 1280 and 390 px, light and
dark, on the real evidence: no horizontal overflow of the page or of the decision and summary tables,
no console error, and a screenshot of each kept in test-artifacts/pages/ for a person to look at. The
Zensical build is checked on the home and a study page (screenshots in test-artifacts/pages/zensical/)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, ENGINES, EVIDENCE, REAL, ROOT, run_build, served

from evsynth.load.vocabulary import load_vocabularies

ARTIFACTS = ROOT / "test-artifacts" / "pages"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
SCHEMES = ("light", "dark")
FIRST_STUDY = sorted(p.stem for p in EVIDENCE.glob("*.yaml"))[0]
PAGES = {
    "home": "",
    **{f"intervention-{g}": f"interventions/{g}/" for g in load_vocabularies().groups},
    "studies": "studies/",
    "compare": "compare/",
    "study": f"studies/{FIRST_STUDY}/",
    "references": "references/",
}
# a table wider than its column hides what a clinician decides from
TABLES = "table.decision, table.sof"


def _served_real(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[str]:
    out = tmp_path_factory.mktemp(f"pages-site-{engine}")
    r = run_build(
        "site", "--no-pdf", "--engine", engine, *REAL, "--out", str(out / "site"), "--work", str(out / "work")
    )
    assert r.returncode == 0, r.stderr
    with served(out / "site") as url:
        yield url


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _served_real(tmp_path_factory, "material")


@pytest.fixture(scope="module")
def zensical_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _served_real(tmp_path_factory, "zensical")


OVERFLOWING_TABLES = """(selector) => [...document.querySelectorAll(selector)]
  .filter(t => t.scrollWidth > t.clientWidth + 1
            || t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => t.className)"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_and_loads_cleanly(browser: object, base_url: str, name: str, width: str, scheme: str) -> None:
    _check_page(browser, base_url, name, width, scheme, ARTIFACTS)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["home", "study"])
def test_zensical_page_fits_and_loads_cleanly(
    browser: object, zensical_url: str, name: str, width: str, scheme: str
) -> None:
    _check_page(browser, zensical_url, name, width, scheme, ARTIFACTS / "zensical")
    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(zensical_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    rgb = [int(x) for x in re.findall(r"\d+", page.evaluate("getComputedStyle(document.body).backgroundColor"))[:3]]
    context.close()
    assert (sum(rgb) < 3 * 96) == (scheme == "dark"), f"{scheme} page drawn on rgb{tuple(rgb)}"


def _check_page(browser: object, base_url: str, name: str, width: str, scheme: str, artifacts: Path) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(base_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / f"{name}-{w}-{scheme}.png"), full_page=True)
    assert response is not None and response.status == 200
    assert errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the {w}px window"
    assert page.evaluate(OVERFLOWING_TABLES, TABLES) == []
    context.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_the_decision_table_becomes_cards_on_a_phone(
    browser: object, request: pytest.FixtureRequest, engine: str
) -> None:
    """Our CSS applies under both engines."""
    base_url = str(request.getfixturevalue("base_url" if engine == "material" else "zensical_url"))
    shown = {}
    for width, (w, h) in WIDTHS.items():
        page = browser.new_page(viewport={"width": w, "height": h})  # type: ignore[attr-defined]
        page.goto(base_url)
        page.wait_for_load_state("networkidle")
        shown[width] = page.evaluate(
            """() => { const t = document.querySelector('table.decision');
                 const cell = t.querySelector('tbody td');
                 return [getComputedStyle(t.querySelector('thead')).display, getComputedStyle(cell).display,
                         getComputedStyle(cell, '::before').content]; }"""
        )
        page.close()
    assert shown["desktop"][:2] == ["table-header-group", "table-cell"]
    assert shown["phone"][:2] == ["none", "block"]
    assert shown["phone"][2] == '"Intervention"'  # each value keeps its column name on the card
