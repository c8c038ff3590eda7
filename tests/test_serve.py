"""`build.py serve` builds, serves on loopback, and rebuilds when a study file changes; it always
serves, with a banner on every page and a list of the problems while a file is invalid."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import FIXTURES, REFERENCES, ROOT

from evsynth.core.problems import Problem
from evsynth.publish.serve import State, start_server
from evsynth.publish.site import csp_for

BANNER = "evs-serve-banner"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return str(r.read().decode())
    except OSError:
        return None


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _wait_for(url: str, needle: str, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        page = _get(url)
        if page is not None and needle in page:
            return True
        time.sleep(0.3)
    return False


@contextmanager
def _serving(tmp_path: Path, evidence: Path) -> Iterator[str]:
    """`build.py serve` on `evidence` in a subprocess; yields its root URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--port",
            str(port),
            "--evidence",
            str(evidence),
            "--references",
            str(REFERENCES),
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(tmp_path / "site"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _line_of(text: str, needle: str) -> int:
    """The number of the first line holding `needle` outside a comment."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line.split("#", 1)[0])


def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    with _serving(tmp_path, evidence) as root:
        url = root + "studies/mini-2020/"
        assert _wait_for(url, "Mini 2020", 60)
        study = evidence / "mini-2020.yaml"
        study.write_text(study.read_text().replace("id: mini-2020\n", "id: mini-2020\nlabel: Renamed 2020\n"))
        assert _wait_for(url, "Renamed 2020", 60)


def test_serve_keeps_the_last_good_build_and_lists_the_problems(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    mini, other = evidence / "mini-2020.yaml", evidence / "other-2021.yaml"
    good_mini, good_other = mini.read_text(), other.read_text()
    with _serving(tmp_path, evidence) as root:
        page, problems = root + "studies/mini-2020/", root + "build-problems/"
        assert _wait_for(page, "Mini 2020", 60)
        assert BANNER not in (_get(page) or "")
        broken = good_mini.replace("by: tests", "by: TODO your name")
        mini.write_text(broken)
        other.write_text(good_other + "broken: [unclosed\n")
        assert _wait_for(page, BANNER, 60), "a page of the last good build, with the banner"
        assert "2 problems in your files" in (_get(page) or "")
        assert 'href="/build-problems/"' in (_get(page) or "")
        listing = _get(problems) or ""
        assert f"mini-2020.yaml:{_line_of(broken, 'TODO')}:" in listing
        assert "[placeholder]" in listing and "replace it with what the paper says" in listing
        assert "other-2021.yaml:" in listing and "[yaml-syntax]" in listing
        assert _get(root + "fields/") is not None and BANNER in (_get(root + "fields/") or "")
        mini.write_text(good_mini)
        other.write_text(good_other)
        assert _wait_for(problems, "No problems in your files", 60)
        assert BANNER not in (_get(page) or "") and "Mini 2020" in (_get(page) or "")


def test_serve_on_a_first_run_with_a_broken_file_serves_the_list_and_the_field_reference(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    new = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", "zed-2020", "--evidence", str(evidence)],
        capture_output=True,
        text=True,
    )
    assert new.returncode == 0, new.stderr
    scaffold = (evidence / "zed-2020.yaml").read_text()
    with _serving(tmp_path, evidence) as root:
        assert _wait_for(root + "fields/", "Study file fields", 60)
        assert _status(root + "fields/") == 200
        listing = _get(root + "build-problems/") or ""
        assert f"zed-2020.yaml:{_line_of(scaffold, 'TODO')}:" in listing and "[placeholder]" in listing
        assert BANNER in (_get(root + "fields/") or "")
        assert "Mini 2020" in (_get(root + "studies/mini-2020/") or ""), "the valid studies are previewed"


# The server itself, in this process, on a hand-made folder: fast, and the escaping of what it shows.

SHELL = (
    "<html><head><title>x</title></head><body><main>"
    '<article class="md-content__inner md-typeset"><h1>404 - Not found</h1></article></main></body></html>'
)


@contextmanager
def _server(tmp_path: Path, problems: list[Problem]) -> Iterator[tuple[str, State]]:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(
        "<html><head><title>A page</title></head><body><p>hello</p></body></html>"
    )
    (tmp_path / "404.html").write_text(SHELL)
    (tmp_path / "data.csv").write_text("a,b\n")
    state = State()
    state.problems = tuple(problems)
    server = start_server(tmp_path, 0, state)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", state
    finally:
        server.shutdown()
        server.server_close()


HOSTILE = Problem(
    "evidence/<script>alert(1)</script>.yaml", 3, 7, "unknown-term", "`<img src=x onerror=alert(1)>` is not a term"
)


def test_the_banner_and_the_list_show_untrusted_text_as_text(tmp_path: Path) -> None:
    placeholder = Problem(
        "evidence/a-2020.yaml", 12, 5, "placeholder", "`design.type` still holds a placeholder: replace it"
    )
    with _server(tmp_path, [placeholder, HOSTILE]) as (root, _):
        page = _get(root + "page/") or ""
        assert "<p>hello</p>" in page and BANNER in page and "2 problems in your files" in page
        assert page.index(BANNER) > page.index("<body>")
        assert '<link rel="stylesheet" href="/build-problems.css">' in page
        listing = _get(root + "build-problems/") or ""
        assert "<h1>2 problems in your files</h1>" in listing and "404 - Not found" not in listing
        assert "evidence/a-2020.yaml:12:5" in listing and "[placeholder]" in listing and "replace it" in listing
        assert "evidence/&lt;script&gt;alert(1)&lt;/script&gt;.yaml:3:7" in listing
        assert "&lt;img src=x onerror=alert(1)&gt;" in listing
        assert "<script>alert" not in listing and "<img" not in listing
        assert listing.index("&lt;script&gt;") < listing.index("a-2020.yaml"), "sorted by file, as check prints"
        assert ".evs-serve-banner" in (_get(root + "build-problems.css") or "")
        assert _get(root + "data.csv") == "a,b\n"


def test_the_banner_keeps_the_content_security_policy(tmp_path: Path) -> None:
    with _server(tmp_path, [HOSTILE]) as (root, _):
        for url in (root + "page/", root + "build-problems/"):
            html = _get(url) or ""
            csp_for(html, ".")  # raises on any inline script
            assert " style=" not in html


def test_no_banner_without_problems(tmp_path: Path) -> None:
    with _server(tmp_path, [HOSTILE]) as (root, state):
        assert BANNER in (_get(root + "page/") or "")
        state.problems = ()
        page = _get(root + "page/") or ""
        assert BANNER not in page and "build-problems.css" not in page
        assert "No problems in your files" in (_get(root + "build-problems/") or "")
