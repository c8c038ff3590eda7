"""Screenshots of built pages for a person to look at: 1280 and 390 px wide, light and dark.

    .venv/bin/python scripts/screenshots.py SITE_DIR OUT_DIR [page/ ...]

Serves SITE_DIR on loopback, opens each page in Debian's Chromium and writes
OUT_DIR/<page>-<width>-<scheme>.png (full page).
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(site: Path, out: Path, pages: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width in (1280, 390):
            for scheme in ("light", "dark"):
                page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                for rel in pages:
                    page.goto(root + rel)
                    page.wait_for_load_state("networkidle")
                    name = re.sub(r"[^a-z0-9]+", "-", rel.lower()).strip("-") or "home"
                    page.screenshot(path=str(out / f"{name}-{width}-{scheme}.png"), full_page=True)
                page.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:] or [""])
