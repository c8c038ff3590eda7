"""The `site` and `serve` commands: render and write, and a local server that rebuilds."""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from .load import display_path
from .render import render_site
from .synth import synthesize
from .write import ROOT, write_site


def build_site(inputs: Any, args: argparse.Namespace) -> int:
    v = inputs.validated
    pages, nav = render_site(synthesize(v.studies, v.discrepancies, inputs.bib), inputs.bib)
    code = write_site(pages, args.work, args.out, nav)
    if code == 0:
        print(f"built {len(v.studies)} studies into {display_path(args.out)}/", file=sys.stderr)
    return code


def _snapshot(folders: list[Path]) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for f in folders if f.exists() for p in f.rglob("*") if p.is_file()}


def serve_site(args: argparse.Namespace, gather: Callable[[], Any]) -> int:
    """Build, serve args.out on 127.0.0.1, and rebuild when an input changes."""
    def rebuild() -> None:
        inputs = gather()
        if any(p.is_error for p in inputs.problems):
            from .cli import report
            report(inputs.problems, len(inputs.validated.studies), warnings=False)
            return
        build_site(inputs, args)

    rebuild()
    handler = functools.partial(_QuietHandler, directory=str(args.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    watched = [args.evidence, args.references, ROOT / "site_src", ROOT / "mkdocs.yml"]
    seen = _snapshot(watched[:3]) | {"mkdocs": (ROOT / "mkdocs.yml").stat().st_mtime}
    try:
        while True:
            time.sleep(0.5)
            now = _snapshot(watched[:3]) | {"mkdocs": (ROOT / "mkdocs.yml").stat().st_mtime}
            if now != seen:
                seen = now
                rebuild()
    except KeyboardInterrupt:
        server.shutdown()
        return 0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
