"""Shared helpers: run the pipeline on fixture folders and read expectations from fixture headers."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCES = FIXTURES / "references"
# The evidence the suite checks invariants on: the repository's, or a copy an acceptance test names
# (tests/test_editor_pr.py runs the evidence tests on a copy with an editor's new study added).
EVIDENCE = Path(os.environ.get("EVSYNTH_EVIDENCE") or ROOT / "evidence")
BIBLIOGRAPHY = Path(os.environ.get("EVSYNTH_REFERENCES") or ROOT / "references")
REAL = ["--evidence", str(EVIDENCE), "--references", str(BIBLIOGRAPHY)]
# The site generators `build.py site --engine` takes (Material, the default, first).
ENGINES = ("material", "zensical")
# A frozen copy of six seed studies and their BibTeX: exact expectations on the seed readings live here.
SEED = FIXTURES / "seed"

sys.path.insert(0, str(ROOT))


def expected(path: Path) -> set[tuple[int, str]]:
    """The `# expect: LINE CODE, LINE CODE` header of a fixture."""
    head = path.read_bytes()[:400].decode("utf-8", "replace")
    m = re.search(r"^[#%] expect: (.*)$", head, re.MULTILINE)
    assert m, f"{path.name} has no expect header"
    pairs = [p.strip().split(" ", 1) for p in m.group(1).split(",") if p.strip()]
    return {(int(line), code) for line, code in pairs}


def run_build(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


@pytest.fixture
def root() -> Path:
    return ROOT


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


# Debian's Chromium, headless, with nothing reaching the network on its own.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve a built site folder on loopback; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextlib.contextmanager
def served_site(tmp: Path, engine: str = "material") -> Iterator[str]:
    """Build the fixture evidence set's site (no PDF) into tmp with `engine`, serve it on loopback; yields its URL."""
    r = run_build("site", "--no-pdf", "--evidence", str(FIXTURES / "evidence"), "--references", str(REFERENCES),
                  "--out", str(tmp / "site"), "--work", str(tmp / "work"), "--engine", engine)  # fmt: skip
    assert r.returncode == 0, r.stderr
    with served(tmp / "site") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_search(page: Any, engine: str, text: str) -> str:
    """Type `text` into the site's search and return the results shown. Material's box is in the
    header; Zensical's opens a dialog (in a shadow root, which Playwright's selectors pierce)."""
    opener, item, results = {
        "material": (".md-search__input", ".md-search-result__item", ".md-search-result__list"),
        "zensical": (".md-search__button", "[role=listbox] [role=option]", "[role=listbox]"),
    }[engine]
    page.click(opener)
    page.keyboard.type(text, delay=30)
    page.wait_for_selector(item, timeout=15000)
    return str(page.inner_text(results))
