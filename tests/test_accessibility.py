"""No serious or critical axe-core violation on the main page types (axe-core from npm, Chromium)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, ROOT, served_site

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(
    not (AXE.exists() and Path(CHROMIUM).exists()), reason="axe-core (npm ci) or chromium missing"
)
PAGES = {
    "home": "",
    "intervention": "interventions/tae/",
    "study": "studies/mini-2020/",
    "studies index": "studies/",
    "data quality": "data-quality/",
    "references": "references/",
}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_site(tmp_path_factory.mktemp("a11y")) as url:
        yield url


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_violation(base_url: str, name: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        context = browser.new_context(bypass_csp=True)  # to inject axe itself; the site's own CSP is tested elsewhere
        page = context.new_page()
        page.goto(base_url + PAGES[name])
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        browser.close()
    bad = [
        (v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / f"axe-{name.replace(' ', '-')}.json").write_text(
        json.dumps(result["violations"], indent=1)
    )
    assert bad == []
