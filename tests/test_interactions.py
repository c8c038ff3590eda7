"""The site's own scripts in headless Chromium (Debian's package), under the site's Content-Security-Policy:
tables sort numbers as numbers with 'not reported' last (tables.js), and a number's source shows on
hover, keyboard focus and tap and hides on Escape (prov.js). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, ROOT, served_site

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
STUDY = "studies/mini-2020/"
TIP = "#prov-tip"

# One row per id; every column but the last is named after what it holds.
ROWS = [
    ("r1", "Study 10", "1,234", "15/18 (83%)", "2–8 months", "A"),
    ("r2", "Study 9", "9", "not reported", "3 weeks–4 years", "B"),
    ("r3", "Study 100", "not reported", "80%", "not stated", "A"),
    ("r4", "Study 2", "−5", "2/4", "1 year", "A"),
    ("r5", "Study 1", "", "9/10 (90%)", "10 days", "B"),
    ("r6", "Study 20", "12.5", "not stated", "18 months", "A"),
    ("r7", "Study 3", "120", "1/3 (33%, computed)", "", "B"),
    ("r8", "Study 4", "not stated", "", "2.5 months", "A"),
]
COLUMNS = ["id", "name", "count", "proportion", "duration", "group"]
EXPECTED = {  # ascending, descending: present values in order, then the missing ones in their first order
    "count": ("r4 r2 r6 r7 r1 r3 r5 r8", "r1 r7 r6 r2 r4 r3 r5 r8"),
    "proportion": ("r7 r4 r3 r1 r5 r2 r6 r8", "r5 r1 r3 r4 r7 r2 r6 r8"),
    "duration": ("r5 r2 r1 r8 r4 r6 r3 r7", "r6 r4 r8 r1 r2 r5 r3 r7"),
    "name": ("r5 r4 r7 r8 r2 r1 r6 r3", "r3 r6 r1 r2 r8 r7 r4 r5"),
    "group": ("r1 r3 r4 r6 r8 r2 r5 r7", "r2 r5 r7 r1 r3 r4 r6 r8"),
}


def _sort_page(site: Path) -> None:
    """A page of its own holding one sortable table, with the built studies page's head (its CSP and scripts)."""
    html = (site / "studies" / "index.html").read_text(encoding="utf-8")
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    table = f"<table><thead><tr>{''.join(f'<th>{c}</th>' for c in COLUMNS)}</tr></thead><tbody>{body}</tbody></table>"
    html, n = re.subn(
        r'<div class="sortable" id="studies-table">.*?</table>',
        f'<div class="sortable">{table}',
        html,
        count=1,
        flags=re.S,
    )
    assert n == 1
    (site / "sort-test").mkdir()
    (site / "sort-test" / "index.html").write_text(html, encoding="utf-8")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("interactions")
    with served_site(out) as url:
        _sort_page(out / "site")
        yield url


@pytest.fixture
def problems() -> list[str]:
    """Console errors and warnings (a CSP violation is one), script errors; each test asserts it empty."""
    return []


def _open(browser: Any, url: str, problems: list[str], **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def _order(page: Any) -> str:
    return str(
        page.evaluate(
            "Array.from(document.querySelectorAll('.sortable tbody tr')).map(r => r.cells[0].textContent).join(' ')"
        )
    )


@pytest.mark.parametrize("column", EXPECTED)
def test_a_column_sorts_both_ways_with_missing_values_last(
    browser: Any, base_url: str, column: str, problems: list[str]
) -> None:
    page = _open(browser, base_url + "sort-test/", problems, viewport={"width": 1280, "height": 900})
    assert _order(page) == "r1 r2 r3 r4 r5 r6 r7 r8"
    header = page.locator(".sortable th").nth(COLUMNS.index(column))
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _order(page) == EXPECTED[column][0]
    header.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    assert _order(page) == EXPECTED[column][1]
    assert problems == []
    page.close()


def test_the_studies_index_sorts_patients_as_numbers(browser: Any, base_url: str, problems: list[str]) -> None:
    page = _open(browser, base_url + "studies/", problems, viewport={"width": 1280, "height": 900})
    heads = page.locator(".sortable th").all_inner_texts()
    col = heads.index("Patients")
    page.locator(".sortable th").nth(col).click()
    cells = page.evaluate(
        f"Array.from(document.querySelectorAll('.sortable tbody tr')).map(r => r.cells[{col}].textContent)"
    )
    numbers = [float(c) for c in cells if c.strip() not in ("", "not reported")]
    assert numbers == sorted(numbers) and len(numbers) >= 2
    assert problems == []
    page.close()


def _tip(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const t = document.getElementById('prov-tip'); if (!t) return {shown: false};
            const r = t.getBoundingClientRect();
            return {shown: !t.hidden && r.width > 0, text: t.textContent, role: t.getAttribute('role'),
                    children: t.children.length, left: r.left, right: r.right,
                    described: Array.from(document.querySelectorAll('[aria-describedby="prov-tip"]')).length}; }"""
        )
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tapping_a_number_shows_its_source_and_escape_hides_it(
    browser: Any, base_url: str, scheme: str, problems: list[str]
) -> None:
    page = _open(browser, base_url + STUDY, problems, viewport={"width": 390, "height": 844}, has_touch=True,
                 is_mobile=True, color_scheme=scheme)  # fmt: skip
    numbers = page.locator(".prov[data-prov]")
    assert numbers.count() > 0 and page.locator(".prov[title]").count() == 0  # no native tooltip beside it
    number = numbers.last
    number.scroll_into_view_if_needed()
    number.tap()
    tip = _tip(page)
    assert tip["shown"] and tip["text"] == number.get_attribute("data-prov") and tip["role"] == "tooltip"
    assert tip["children"] == 0 and tip["described"] == 1 and number.get_attribute("aria-describedby") == "prov-tip"
    assert tip["left"] >= 0 and tip["right"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"provenance-tap-{scheme}.png"))
    page.keyboard.press("Escape")
    assert not _tip(page)["shown"] and number.get_attribute("aria-describedby") is None
    number.tap()
    assert _tip(page)["shown"]
    page.locator("h1").first.tap()
    page.wait_for_timeout(400)
    assert not _tip(page)["shown"]
    assert problems == []
    page.close()


def test_tab_reaches_a_number_and_shows_its_source(browser: Any, base_url: str, problems: list[str]) -> None:
    page = _open(browser, base_url + STUDY, problems, viewport={"width": 1280, "height": 900})
    page.locator("h1").first.click()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.prov[data-prov]')"):
            break
    first = page.evaluate("document.activeElement.getAttribute('data-prov')")
    assert first, "Tab never reached a number with its source"
    assert _tip(page)["shown"] and _tip(page)["text"] == first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.prov[data-prov]')")
    assert _tip(page)["text"] == page.evaluate("document.activeElement.getAttribute('data-prov')")
    assert _tip(page)["described"] == 1
    page.screenshot(path=str(ARTIFACTS / "provenance-focus-desktop.png"))
    page.keyboard.press("Escape")
    assert not _tip(page)["shown"]
    assert problems == []
    page.close()


def test_hovering_a_number_shows_its_source_until_the_pointer_leaves(
    browser: Any, base_url: str, problems: list[str]
) -> None:
    page = _open(browser, base_url + STUDY, problems, viewport={"width": 1280, "height": 900})
    number = page.locator(".prov[data-prov]").first
    number.hover()
    assert _tip(page)["shown"] and _tip(page)["text"] == number.get_attribute("data-prov")
    page.mouse.move(5, 880)
    page.wait_for_timeout(500)
    assert not _tip(page)["shown"]
    assert problems == []
    page.close()


def test_print_keeps_the_source_in_brackets_and_no_popover(browser: Any, base_url: str, problems: list[str]) -> None:
    page = _open(browser, base_url + STUDY, problems, viewport={"width": 1280, "height": 900})
    number = page.locator(".prov[data-prov]").first
    number.focus()
    page.emulate_media(media="print")
    after = number.evaluate("el => getComputedStyle(el, '::after').content")
    assert after == f'" [{number.get_attribute("data-prov")}]"'
    assert page.evaluate("getComputedStyle(document.getElementById('prov-tip')).display") == "none"
    assert problems == []
    page.close()
