"""Benchmark: the PDF's time per page and peak memory, on the real evidence and on 100 and 1,000
synthetic studies, beside the targets (0.1 s per page or less; peak memory under 2 GB at 1,000
studies). Each size runs in a fresh process, so its peak resident set is its own. Appends the rows
to benchmarks/pdf-results.md.

Run: .venv/bin/python benchmarks/bench_pdf.py [--sizes 100 1000] [--no-real]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_PAGE_TARGET = 0.1  # seconds of layout and writing per page
PEAK_TARGET_MB = 2048  # at 1,000 studies
HEADER = "# PDF build benchmark\n"
NOTE = (
    "One run per size, each in a fresh process (`benchmarks/bench_pdf.py`). "
    f"Targets: at most {PER_PAGE_TARGET} s per page (layout and writing); peak memory under 2 GB at 1,000 studies.\n"
    "Peak is that process's maximum resident set. CPU is the\n"
    "process's own CPU time for layout and writing (wall clock depends on what else the machine runs).\n"
)
TABLE = (
    "| date | evidence | pages | HTML (s) | layout (s) | write (s) | s per page | CPU s per page | peak MB | "
    "per page target | memory target | machine |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def run_one(n: int) -> dict[str, object]:
    """The print HTML, its layout and its writing, in this (fresh) process; n = 0 is the real evidence."""
    from evsynth import pipeline
    from evsynth.publish import pdf
    from evsynth.tools.synthetic_evidence import synthesize_evidence

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        ev, refs = ROOT / "evidence", ROOT / "references"
        if n:
            synthesize_evidence(n, ev, refs, base)
            ev, refs = base / "evidence", base / "references"
        checked = pipeline.check(ev, refs)
        built = pipeline.build(checked)
        t0 = time.perf_counter()
        html = pipeline.print_html(checked, built, "bench")
        t1, c1 = time.perf_counter(), time.process_time()
        document = pdf.render(html)
        t2 = time.perf_counter()
        data = pdf.write(document)
        t3, c3 = time.perf_counter(), time.process_time()
        pages = len(document.pages)
        (base / "b.pdf").write_bytes(data)
    return {
        "studies": len(checked.validated.studies),
        "synthetic": bool(n),
        "pages": pages,
        "html": t1 - t0,
        "layout": t2 - t1,
        "write": t3 - t2,
        "cpu": c3 - c1,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def row(r: dict[str, Any]) -> str:
    pages = r["pages"]
    per_page = (r["layout"] + r["write"]) / pages
    evidence = f"{r['studies']} {'synthetic' if r['synthetic'] else 'real'} studies"
    page_met = "met" if per_page <= PER_PAGE_TARGET else f"not met ({per_page / PER_PAGE_TARGET:.1f}x)"
    at_1000 = r["synthetic"] and r["studies"] >= 1000
    memory_met = ("met" if r["peak_mb"] < PEAK_TARGET_MB else "not met") if at_1000 else "-"
    return (
        f"| {date.today()} | {evidence} | {pages} | {r['html']:.1f} | {r['layout']:.1f} | {r['write']:.1f} | "
        f"{per_page:.3f} | {r['cpu'] / pages:.3f} | {r['peak_mb']:.0f} | {page_met} | {memory_met} | {machine()} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000])
    ap.add_argument("--no-real", action="store_true", help="skip the real evidence")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "pdf-results.md")
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one)))
        return 0
    rows = []
    for n in ([] if args.no_real else [0]) + args.sizes:
        print("running", n or "real evidence", file=sys.stderr)
        cmd = [sys.executable, __file__, "--one", str(n)]
        rows.append(row(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)))
        print(rows[-1])
    text = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if TABLE not in text:  # the earlier table had other columns: a new one below it
        text = (text or HEADER) + "\n" + NOTE + "\n" + TABLE
    args.output.write_text(text + "".join(line + "\n" for line in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
