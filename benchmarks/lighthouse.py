"""Benchmark: Lighthouse (npm `lighthouse`, pinned in package.json) with Debian's Chromium, mobile preset,
on the built site's home page, an intervention page and a study page. Three runs per page; writes the
medians of the category scores and the page weights to benchmarks/lighthouse-results.md.

Targets: performance at least 95, accessibility and best practices 100.

Not part of `make test`: a benchmark. Needs `npm ci` (node_modules/.bin/lighthouse) and /usr/bin/chromium.

Run: .venv/bin/python benchmarks/lighthouse.py [--runs 3] [--site DIR (already built: skip the build)]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = {"performance": 95, "accessibility": 100, "best-practices": 100}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def pick_pages(site: Path) -> dict[str, str]:
    """The home page, the first intervention page and the first study page (paths under the site)."""

    def first(folder: str) -> str:
        pages = sorted(p.parent for p in (site / folder).glob("*/index.html"))
        if not pages:
            raise SystemExit(f"lighthouse.py: no page under {site / folder}")
        return f"/{folder}/{pages[0].name}/"

    return {"home": "/", "intervention": first("interventions"), "study": first("studies")}


COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt"}


def serve(site: Path, compress: bool) -> tuple[http.server.ThreadingHTTPServer, int]:
    """The site over local HTTP; with `compress`, text gzip-compressed as any static host sends it."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = Path(self.translate_path(self.path))
            if path.is_dir() and self.path.split("?")[0].endswith("/"):
                path = path / "index.html"
            wants = "gzip" in self.headers.get("Accept-Encoding", "")
            if not (compress and wants and path.suffix in COMPRESSED and path.is_file()):
                super().do_GET()
                return
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--form-factor=mobile",  # the default preset: a throttled mid-range phone
    ]
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    audits = report["audits"]
    items = audits["network-requests"]["details"]["items"]
    failing = {
        cat: [
            ref["id"]
            for ref in report["categories"][cat]["auditRefs"]
            if ref["weight"] and (audits[ref["id"]].get("score") is not None) and audits[ref["id"]]["score"] < 1
        ]
        for cat in CATEGORIES
    }
    return {
        "scores": {cat: round(100 * (report["categories"][cat]["score"] or 0)) for cat in CATEGORIES},
        "bytes": sum(item.get("transferSize", 0) for item in items),
        "requests": len(items),
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "failing": failing,
    }


def measure(site: Path, runs: int, compress: bool) -> list[tuple[str, str, list[dict[str, Any]]]]:
    server, port = serve(site, compress)
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, path in pick_pages(site).items():
                runs_of_page = []
                for i in range(runs):
                    print(f"lighthouse {name} {path} run {i + 1}", file=sys.stderr)
                    runs_of_page.append(summary(lighthouse(f"http://127.0.0.1:{port}{path}", Path(tmp) / "r.json")))
                results.append((name, path, runs_of_page))
    finally:
        server.shutdown()
    return results


def report(
    results: list[tuple[str, str, list[dict[str, Any]]]], runs: int, chromium: str, version: str, compress: bool
) -> str:
    load = os.getloadavg()[0]
    served = "gzip-compressed text, as a static host (GitHub Pages) sends it" if compress else "uncompressed"
    lines = [
        "# Lighthouse benchmark",
        "",
        f"{date.today()}; Lighthouse {version}, {chromium}, headless, mobile preset (simulated throttling);",
        f"median of {runs} runs per page; the site built by `build.py site --no-pdf` and served over local HTTP",
        f"({served}). Targets: performance >= 95, accessibility 100, best practices 100. Page weight is the",
        "bytes transferred for the page and everything it loads during the run (the search index included).",
        f"Load average (1 min) as the runs ended: {load:.1f} on {os.cpu_count()} cores. Lighthouse scales",
        "the CPU time it observes, so a busy machine lowers performance scores by several points from run to run.",
        "",
        "| page | path | performance | accessibility | best practices | LCP (ms) | TBT (ms) | CLS "
        "| page weight (KB) | requests | targets | below 1 in the run |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, path, rs in results:
        med = {cat: statistics.median(r["scores"][cat] for r in rs) for cat in CATEGORIES}
        met = all(med[cat] >= target for cat, target in CATEGORIES.items())
        failing = sorted({a for r in rs for cat in CATEGORIES for a in r["failing"][cat]})
        lines.append(
            f"| {name} | `{path}` | {med['performance']:.0f} | {med['accessibility']:.0f} | "
            f"{med['best-practices']:.0f} | {statistics.median(r['lcp'] for r in rs):.0f} | "
            f"{statistics.median(r['tbt'] for r in rs):.0f} | {statistics.median(r['cls'] for r in rs):.3f} | "
            f"{statistics.median(r['bytes'] for r in rs) / 1024:.0f} | {rs[0]['requests']} | "
            f"{'met' if met else 'not met'} | {', '.join(failing) or '-'} |"
        )
    return "\n".join(lines) + "\n"


def medians(results: list[tuple[str, str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Per page, the medians the report prints (read by benchmarks/all.py for the targets table)."""
    return [
        {
            "page": name,
            "path": path,
            "scores": {cat: statistics.median(r["scores"][cat] for r in rs) for cat in CATEGORIES},
            "kb": round(statistics.median(r["bytes"] for r in rs) / 1024),
            "tbt_ms": round(statistics.median(r["tbt"] for r in rs)),
            "load_average": round(os.getloadavg()[0], 1),
        }
        for name, path, rs in results
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--site", type=Path, help="an already built site (default: build one)")
    ap.add_argument("--uncompressed", action="store_true", help="serve without gzip (default: gzip, as hosts do)")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "lighthouse-results.md")
    args = ap.parse_args()
    if not LIGHTHOUSE.exists() or not Path(CHROMIUM).exists():
        raise SystemExit("lighthouse.py: needs `npm ci` (node_modules/.bin/lighthouse) and Chromium at " + CHROMIUM)
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site, work = Path(tmp) / "site", Path(tmp) / "build"
            build = [
                sys.executable,
                str(ROOT / "build.py"),
                "site",
                "--no-pdf",
                "--out",
                str(site),
                "--work",
                str(work),
            ]
            subprocess.run(build, check=True, cwd=ROOT)
        results = measure(site, args.runs, not args.uncompressed)
    args.output.write_text(report(results, args.runs, chromium, version, not args.uncompressed), encoding="utf-8")
    args.output.with_suffix(".json").write_text(json.dumps(medians(results), indent=1) + "\n", encoding="utf-8")
    print(args.output.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
