"""Reliability: atomic and deterministic builds, nothing lost, no broken links."""

from __future__ import annotations

import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import BIBLIOGRAPHY, ENGINES, EVIDENCE, FIXTURES, REAL, REFERENCES, run_build

from evsynth.pipeline import gather
from evsynth.publish.engine import Engine
from evsynth.publish.site import write_site
from evsynth.synthesis.tables import fmt


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real-site")
    r = run_build("site", *REAL, "--out", str(out / "site"), "--work", str(out / "work"))
    assert r.returncode == 0, r.stderr
    return out / "site"


@pytest.fixture(scope="module")
def real_zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real-zensical")
    r = run_build("site", "--engine", "zensical", *REAL, "--out", str(out / "site"), "--work", str(out / "work"))
    assert r.returncode == 0, r.stderr
    return out / "site"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        r = run_build(
            "site",
            "--evidence",
            str(FIXTURES / "evidence"),
            "--references",
            str(REFERENCES),
            "--out",
            str(tmp_path / name),
            "--work",
            str(tmp_path / f"work-{name}"),
        )
        assert r.returncode == 0, r.stderr
        digests.append(tree_digest(tmp_path / name))
    assert digests[0] == digests[1]
    assert "downloads/evidence-synthesis.pdf" in digests[0]


def test_two_zensical_builds_are_byte_identical(tmp_path: Path) -> None:
    fixture = ["--evidence", str(FIXTURES / "evidence"), "--references", str(REFERENCES)]
    digests = []
    for name in ("a", "b"):
        out = ["--out", str(tmp_path / name), "--work", str(tmp_path / f"work-{name}")]
        r = run_build("site", "--no-pdf", "--engine", "zensical", *fixture, *out)
        assert r.returncode == 0, r.stderr
        digests.append(tree_digest(tmp_path / name))
    assert digests[0] == digests[1] and "search.js" in digests[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failed_build_leaves_the_previous_site_untouched(
    tmp_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    out, work = tmp_path / "site", tmp_path / "work"
    linked = {"fields/index.md": "# Fields\n", "methods/index.md": "# Methods\n"}  # the hand-written pages link here
    assert write_site({"index.md": "# Fine\n"} | linked, work, out, engine=engine) == 0
    before = tree_digest(out)
    broken = {"index.md": "# Broken\n\n[a link to nowhere](missing-page.md)\n"} | linked
    capsys.readouterr()
    assert write_site(broken, work, out, engine=engine) == 1  # --strict refuses the broken link
    err = capsys.readouterr().err
    assert "missing-page.md" in err and "index.md" in err and "previous site was left untouched" in err
    assert "\x1b[" not in err and "Traceback" not in err  # the problem, not the colours or Python's stack
    assert tree_digest(out) == before
    assert not list(work.glob(".site-*"))  # no half-built folder left behind


@pytest.mark.parametrize("engine", ENGINES)
def test_a_nav_entry_without_its_page_fails_the_build(
    tmp_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = {"index.md": "# Home\n", "fields/index.md": "# Fields\n", "methods/index.md": "# Methods\n"}
    nav = ["index.md", {"Gone": "studies/ghost/index.md"}]
    assert write_site(pages, tmp_path / "work", tmp_path / "site", nav, engine=engine) == 1
    assert "studies/ghost/index.md" in capsys.readouterr().err


def test_a_broken_anchor_fails_the_zensical_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    linked = {"fields/index.md": "# Fields\n", "methods/index.md": "# Methods\n"}
    pages = {"index.md": "# Home\n\n[gone](methods/index.md#no-such-heading)\n"} | linked
    assert write_site(pages, tmp_path / "work", tmp_path / "site", engine="zensical") == 1
    assert "no-such-heading" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "script", "link"):
                self.targets.append(str(a[key]))


@pytest.mark.parametrize("engine", ENGINES)
def test_no_broken_internal_link(request: pytest.FixtureRequest, engine: str) -> None:
    """Every link, image, script and style of every page resolves, anchors included, on both engines
    (raw HTML links too, which neither engine's strict mode reads)."""
    real_site = Path(request.getfixturevalue("real_site" if engine == "material" else "real_zensical_site"))
    broken, checked = [], 0
    for page in real_site.rglob("*.html"):
        if page.name == "404.html" and page.parent == real_site:
            continue  # served at any depth, so its links are root-absolute by design
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            url = urlparse(target)
            if url.scheme or target.startswith(("//", "mailto:", "data:")):
                continue
            path = unquote(url.path)
            resolved = (page.parent / path).resolve() if path else page
            if resolved.is_dir():
                resolved = resolved / "index.html"
            checked += 1
            if not resolved.exists():
                broken.append((str(page.relative_to(real_site)), target))
            elif url.fragment and resolved.suffix == ".html":
                ids = _ids(resolved)
                if url.fragment not in ids:
                    broken.append((str(page.relative_to(real_site)), target))
    assert checked > len(list(real_site.rglob("*.html"))) and broken == []


_ID_CACHE: dict[Path, set[str]] = {}


def _ids(page: Path) -> set[str]:
    if page not in _ID_CACHE:
        p = _Links()
        p.feed(page.read_text(encoding="utf-8"))
        _ID_CACHE[page] = p.ids
    return _ID_CACHE[page]


def test_nothing_lost_every_number_reaches_site_and_downloads(real_site: Path) -> None:
    studies = gather(EVIDENCE, BIBLIOGRAPHY).validated.studies
    csv_text = (real_site / "downloads" / "studies.csv").read_text()
    total = 0
    for s in studies:
        html = (real_site / "studies" / s.id / "index.html").read_text(encoding="utf-8")
        shown = re.findall(r'<span class="prov[^"]*"[^>]*>([^<]*)</span>', html)
        numbers = {n for x in shown for n in re.findall(r"\d+(?:\.\d+)?", x)}
        rows = [line for line in csv_text.splitlines() if line.startswith(s.id + ",")]
        values = list(s.values())
        assert len(rows) == len(values), s.id
        missing = [v for v in values if fmt(v.value) not in numbers and v.path[0] != "patients_table"]
        assert missing == [], (s.id, [(m.path, m.value) for m in missing][:5])
        total += len(values)
    assert total == sum(len(list(s.values())) for s in studies) > 0


def test_nothing_lost_every_study_reaches_the_pdf(real_site: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(real_site / "downloads" / "evidence-synthesis.pdf")
    text = re.sub(r"\s+", " ", " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    for s in gather(EVIDENCE, BIBLIOGRAPHY).validated.studies:
        assert s.label in text
        for v in list(s.values())[:40]:
            assert fmt(v.value) in text, (s.id, v.path)
    shutil.rmtree(real_site.parent / "work", ignore_errors=True)


def test_a_killed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    """Killed while MkDocs writes (SIGKILL: no clean-up can run), then built again: the output's
    folder holds only the site, and the work folder no stale temporary build."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    args = [
        sys.executable,
        str(ROOT / "build.py"),
        "site",
        "--no-pdf",
        "--evidence",
        str(FIXTURES / "evidence"),
        "--references",
        str(FIXTURES / "references"),
        "--out",
        str(tmp_path / "out" / "site"),
        "--work",
        str(tmp_path / "work"),
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "work").glob(".site-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    assert subprocess.run(args, capture_output=True).returncode == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["site"]
    assert list((tmp_path / "work").glob(".site-*")) == []
