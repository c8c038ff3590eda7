"""Benchmark: PDF build time and pages on the real evidence; appends to benchmarks/pdf-results.md.

Run: .venv/bin/python benchmarks/bench_pdf.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evsynth import pipeline
from evsynth.publish.pdf import write_pdf


def machine() -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    checked = pipeline.check(ROOT / "evidence", ROOT / "references")
    built = pipeline.build(checked)
    syn = built.syn
    html_times, pdf_times, pages = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            html = pipeline.print_html(checked, built, "bench")
            t1 = time.perf_counter()
            pages = write_pdf(html, Path(tmp) / "b.pdf")
            t2 = time.perf_counter()
            html_times.append(t1 - t0)
            pdf_times.append(t2 - t1)
    total = statistics.median(h + p for h, p in zip(html_times, pdf_times))
    row = (
        f"| {date.today()} | {len(syn.studies)} | {pages} | {statistics.median(html_times):.2f} | "
        f"{statistics.median(pdf_times):.2f} | {total:.2f} | {total / pages:.3f} | {machine()} |"
    )
    out = ROOT / "benchmarks" / "pdf-results.md"
    if not out.exists():
        out.write_text(
            "# PDF build benchmark\n\nMedian of the runs; target 0.1 s per page or better.\n\n"
            "| date | studies | pages | HTML (s) | layout+write (s) | total (s) | s per page | machine |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        )
    with out.open("a") as fh:
        fh.write(row + "\n")
    print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
