"""Publish for a person at work: serve the built site on loopback and rebuild when an input changes."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evsynth.core.paths import ROOT


def inside_built_site(target: Path) -> Path | None:
    """The built site (a folder holding sitemap.xml, or site/) that `target` would be written into."""
    resolved = target.resolve()
    for folder in resolved.parents:
        if (folder / "sitemap.xml").exists() or folder == (ROOT / "site").resolve():
            return folder
    return None


def _snapshot(watched: list[Path]) -> dict[str, float]:
    files = [w for w in watched if w.is_file()] + [
        p for w in watched if w.is_dir() for p in w.rglob("*") if p.is_file()
    ]
    return {str(p): p.stat().st_mtime for p in files}


def serve(out: Path, port: int, watched: list[Path], rebuild: Callable[[], None]) -> int:
    """Run `rebuild`, serve `out` on 127.0.0.1:port, and run `rebuild` again whenever a watched
    file or folder changes, until Ctrl-C."""
    rebuild()
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    seen = _snapshot(watched)
    try:
        while True:
            time.sleep(0.5)
            now = _snapshot(watched)
            if now != seen:
                seen = now
                rebuild()
    except KeyboardInterrupt:
        server.shutdown()
        return 0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
