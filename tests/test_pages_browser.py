"""The pages a clinician reads, in headless Chromium (Debian's package) at 1280 and 390 px, light and
dark, on the real evidence: no horizontal overflow of the page or of the decision and summary tables,
no console error, and a screenshot of each kept in test-artifacts/pages/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, EVIDENCE, REAL, ROOT, run_build, served

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


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("pages-site")
    r = run_build("site", "--no-pdf", *REAL, "--out", str(out / "site"), "--work", str(out / "work"))
    assert r.returncode == 0, r.stderr
    with served(out / "site") as url:
        yield url


OVERFLOWING_TABLES = """(selector) => [...document.querySelectorAll(selector)]
  .filter(t => t.scrollWidth > t.clientWidth + 1
            || t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => t.className)"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_and_loads_cleanly(browser: object, base_url: str, name: str, width: str, scheme: str) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(base_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{w}-{scheme}.png"), full_page=True)
    assert response is not None and response.status == 200
    assert errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the {w}px window"
    assert page.evaluate(OVERFLOWING_TABLES, TABLES) == []
    context.close()


def test_the_decision_table_becomes_cards_on_a_phone(browser: object, base_url: str) -> None:
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
