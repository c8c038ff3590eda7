"""Benchmark: the PDF's time per page and peak memory, on the real evidence and on 100 and 1,000
synthetic studies, beside the targets (0.1 s per page or less; peak memory under 2 GB at 1,000
studies). Each size runs in a fresh process. The PDF is laid out in parts by worker processes
(`evsynth/publish/pdf_parts.py`): CPU is this process's and every worker's (each reports its own
rusage), peak memory the largest process's and the sum of all processes' peaks (an upper bound of
what they held at once). Appends the rows to benchmarks/pdf-results.md;
this run's figures also go to benchmarks/pdf-results.json (read by `all.py`).

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
import threading
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
    "The PDF is laid out in parts by worker processes and joined. CPU is the CPU time of the process and of\n"
    "every worker for layout, writing and joining (wall clock depends on what else the machine runs). Peak MB is\n"
    "the largest process's maximum resident set; sum MB adds the peaks of the process and its workers (an\n"
    "upper bound of the memory they held at once); at once MB is the largest resident memory of the process and\n"
    "all its descendants together, sampled every 0.05 s (and at least the largest process's own peak, which a\n"
    "sample can miss). The memory target is read against at once MB.\n"
)
TABLE = (
    "| date | evidence | pages | parts | HTML (s) | PDF wall (s) | wall s per page | CPU s per page | "
    "peak MB | sum MB | at once MB | CPU target | memory target | machine |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def tree_rss_mb(root: int) -> float:
    """The resident memory of `root` and every process descended from it (the forkserver, its workers), now."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    pages = 0
    for pid in tree:
        try:
            pages += int((Path("/proc") / str(pid) / "statm").read_text().split()[1])
        except (OSError, IndexError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class TreePeak(threading.Thread):
    """Samples `tree_rss_mb` of this process every 0.05 s: the largest sum held at one time."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.done = 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))


def run_one(n: int) -> dict[str, object]:
    """The print HTML, its layout and its writing, in this (fresh) process; n = 0 is the real evidence."""
    from evsynth import pipeline
    from evsynth.publish import pdf_join
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
        sampler = TreePeak()
        sampler.start()
        t1, c1 = time.perf_counter(), time.process_time()
        data, laid = pdf_join.build(html)
        t2, c2 = time.perf_counter(), time.process_time()
        sampler.done.set()
        sampler.join()
        (base / "b.pdf").write_bytes(data)
    workers: dict[int, tuple[float, float]] = {}  # pid -> (CPU, peak MB), the last report of each worker
    for part in laid:
        pid, cpu, peak = part.worker
        workers[pid] = max(workers.get(pid, (0.0, 0.0)), (cpu, peak))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "studies": len(checked.validated.studies),
        "synthetic": bool(n),
        "pages": sum(len(part.sizes) for part in laid),
        "parts": len(laid),
        "html": t1 - t0,
        "wall": t2 - t1,
        "cpu": c2 - c1 + sum(cpu for cpu, _ in workers.values()),
        "peak_mb": max([own] + [peak for _, peak in workers.values()]),
        "sum_mb": own + sum(peak for _, peak in workers.values()),
        "parent_mb": own,
        # held at once: sampled, and never less than one process's own peak (a sample can miss a spike)
        "tree_peak_mb": max([sampler.peak, own] + [peak for _, peak in workers.values()]),
    }


def row(r: dict[str, Any]) -> str:
    pages = r["pages"]
    cpu = r["cpu"] / pages
    evidence = f"{r['studies']} {'synthetic' if r['synthetic'] else 'real'} studies"
    page_met = "met" if cpu <= PER_PAGE_TARGET else f"not met ({cpu / PER_PAGE_TARGET:.1f}x)"
    at_1000 = r["synthetic"] and r["studies"] >= 1000
    memory_met = ("met" if r["tree_peak_mb"] < PEAK_TARGET_MB else "not met") if at_1000 else "-"
    return (
        f"| {date.today()} | {evidence} | {pages} | {r['parts']} | {r['html']:.1f} | {r['wall']:.1f} | "
        f"{r['wall'] / pages:.3f} | {cpu:.3f} | {r['peak_mb']:.0f} | {r['sum_mb']:.0f} | "
        f"{r['tree_peak_mb']:.0f} | {page_met} | "
        f"{memory_met} | {machine()} |"
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
    rows, runs = [], []
    for n in ([] if args.no_real else [0]) + args.sizes:
        print("running", n or "real evidence", file=sys.stderr)
        cmd = [sys.executable, __file__, "--one", str(n)]
        runs.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
        rows.append(row(runs[-1]))
        print(rows[-1])
    args.output.with_suffix(".json").write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    text = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if TABLE not in text:  # the earlier table had other columns: a new one below it
        text = (text or HEADER) + "\n" + NOTE + "\n" + TABLE
    args.output.write_text(text + "".join(line + "\n" for line in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
