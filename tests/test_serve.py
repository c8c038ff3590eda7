"""`build.py serve` builds, serves on loopback, and rebuilds when a study file changes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import FIXTURES, REFERENCES, ROOT


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


def _wait_for(url: str, needle: str, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        page = _get(url)
        if page is not None and needle in page:
            return True
        time.sleep(0.3)
    return False


def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/studies/mini-2020/"
        assert _wait_for(url, "Mini 2020", 60)
        study = evidence / "mini-2020.yaml"
        study.write_text(study.read_text().replace("id: mini-2020\n", "id: mini-2020\nlabel: Renamed 2020\n"))
        assert _wait_for(url, "Renamed 2020", 60)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
