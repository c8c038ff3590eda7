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

from evsynth.load.files import display_path
from evsynth.render.pages import render_site
from evsynth.synthesis.synthesize import synthesize
from evsynth.core.paths import ROOT
from evsynth.publish.site import write_site


PDF_NAME = "downloads/evidence-synthesis.pdf"


def build_site(inputs: Any, args: argparse.Namespace) -> int:
    """render -> write the site; the PDF goes into the same atomic build unless --no-pdf."""
    v = inputs.validated
    syn = synthesize(v.studies, v.discrepancies, inputs.bib)
    pages, nav = render_site(syn, inputs.bib, history=inputs.history)
    extra: dict[str, bytes] = {}
    if not getattr(args, "no_pdf", False):
        extra[PDF_NAME] = build_pdf_bytes(syn, inputs.bib)
    code = write_site(pages, args.work, args.out, nav, extra, inputs.build_date)
    if code == 0:
        print(f"built {len(v.studies)} studies into {display_path(args.out)}/", file=sys.stderr)
    return code


def build_pdf_bytes(syn: Any, bib: Any) -> bytes:
    import tempfile
    from evsynth.render.print_document import render_pdf_html
    from evsynth.publish.pdf import write_pdf
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "doc.pdf"
        write_pdf(render_pdf_html(syn, bib, version()), target)
        return target.read_bytes()


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version
    try:
        return dist_version("evsynth")
    except PackageNotFoundError:
        text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        return text.split('version = "', 1)[1].split('"', 1)[0]


def build_pdf(inputs: Any, args: argparse.Namespace) -> int:
    """The PDF on its own (default site/downloads/evidence-synthesis.pdf)."""
    import time
    from evsynth.render.print_document import render_pdf_html
    from evsynth.publish.pdf import write_pdf
    v = inputs.validated
    syn = synthesize(v.studies, v.discrepancies, inputs.bib)
    start = time.perf_counter()
    pages = write_pdf(render_pdf_html(syn, inputs.bib, version()), args.output)
    seconds = time.perf_counter() - start
    print(f"wrote {display_path(args.output)}: {pages} pages in {seconds:.1f} s "
          f"({seconds / max(pages, 1):.2f} s per page)", file=sys.stderr)
    return 0


def inside_built_site(target: Path) -> Path | None:
    """The built site (a folder holding sitemap.xml, or site/) that `target` would be written into."""
    resolved = target.resolve()
    for folder in resolved.parents:
        if (folder / "sitemap.xml").exists() or folder == (ROOT / "site").resolve():
            return folder
    return None


def _snapshot(folders: list[Path]) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for f in folders if f.exists() for p in f.rglob("*") if p.is_file()}


def serve_site(args: argparse.Namespace, gather: Callable[[], Any]) -> int:
    """Build, serve args.out on 127.0.0.1, and rebuild when an input changes."""
    def rebuild() -> None:
        inputs = gather()
        if any(p.is_error for p in inputs.problems):
            from evsynth.cli import report
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
