"""`make bench`: every benchmark of issue 18 in one run, each step timed, then the targets table.

Runs, each in its own process: `bench.py` (data stages at 10 to 10,000 studies, the HTML build with
both engines beside their plain builds), `bench_pdf.py` (the PDF at the real evidence, 100 and 1,000
studies), `incremental.py` (incremental builds, `serve` latency) and `lighthouse.py` (scores and page
weights). Each writes its own report and a JSON of its figures beside it; this script then puts a
table of every target, the figure measured in this run and whether it is met at the top of
`benchmarks/results.md`, with the date, the machine and how long the whole run took (target: 30
minutes on this 2-core machine).

Run: make bench   (or .venv/bin/python benchmarks/all.py [--skip lighthouse ...])
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
sys.path.insert(0, str(HERE))

STEPS = {
    "data": ["bench.py"],
    "pdf": ["bench_pdf.py"],
    "incremental": ["incremental.py"],
    "lighthouse": ["lighthouse.py"],
}
BUDGET_MINUTES = 30
MARK = "<!-- targets: written by benchmarks/all.py -->"


def run_steps(skip: set[str]) -> dict[str, float]:
    """Each benchmark in turn; the minutes each took."""
    minutes = {}
    for name, argv in STEPS.items():
        if name in skip:
            continue
        print(f"== {name}: {' '.join(argv)}", file=sys.stderr)
        t = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / argv[0]), *argv[1:]], check=True, cwd=ROOT)
        minutes[name] = round((time.perf_counter() - t) / 60, 1)
    return minutes


def _read(name: str) -> Any:
    path = HERE / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "**not met**")


def _times(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio}×"


def _row(data: list[dict[str, Any]], n: int) -> dict[str, Any]:
    return next((r for r in data if r.get("n") == n), {})


def data_targets(data: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    base = _row(data, 100).get("render_ms_per_study")
    rows = []
    for n in (1000, 10000):
        ratio = _row(data, n).get("load_validate_ratio")
        rows.append((f"load + validate ≤ 2× libyaml at {n:,}", _times(ratio), None if ratio is None else ratio <= 2))
    ratio = _row(data, 10000).get("ratio_to_libyaml")
    rows.append(("data stages ≤ 3× libyaml at 10,000", _times(ratio), None if ratio is None else ratio <= 3))
    per = [(n, _row(data, n).get("render_ms_per_study")) for n in (100, 1000, 10000)]
    shown = ", ".join(f"{v} ms at {n:,}" for n, v in per if v is not None) or "–"
    flat = None if base is None or per[-1][1] is None else max(v for _, v in per if v) <= 1.5 * base
    rows.append(("render per study flat 100 → 10,000 (within 1.5×)", shown, flat))
    return rows


def pdf_targets(pdf: list[dict[str, Any]] | None) -> list[tuple[str, str, bool | None]]:
    at = next((r for r in pdf or [] if r.get("synthetic") and r.get("studies") == 1000), None)
    if at is None:
        return [("PDF at 1,000 studies: < 2 GB, ≤ 0.1 s a page", "not measured", None)]
    per = at["cpu"] / at["pages"]  # CPU of the parent and every worker
    memory = f"{at['tree_peak_mb']:.0f} MB, the parent and its workers at once ({at['pages']} pages)"
    return [
        ("PDF peak memory < 2 GB at 1,000", memory, at["tree_peak_mb"] < 2048),
        ("PDF ≤ 0.1 s a page at 1,000 (CPU)", f"{per:.3f} s a page", per <= 0.1),
    ]


def incremental_targets(inc: dict[str, Any] | None) -> list[tuple[str, str, bool | None]]:
    if inc is None:
        return [("incremental builds, serve", "not measured", None)]
    row = next((r for r in inc["rows"] if r["n"] == 1000), None)
    rows: list[tuple[str, str, bool | None]] = []
    if row:
        made = row["nochange_rendered"]
        rows.append(("no change: nothing rendered (1,000)", f"{made} rendered", not made))
        share = row["onechange_ratio"]
        shown = f"{share:.1%} ({row['onechange_seconds']} s of {row['full_seconds']} s)"
        rows.append(("one study changed < 10% of the full build (1,000)", shown, share < 0.1))
    serve = inc.get("serve")
    if serve:
        saves = serve["save_to_served_seconds"]
        rows.append(("serve: a saved change shown < 1 s", f"{max(saves)} s (worst of {len(saves)})", max(saves) < 1))
    return rows


def lighthouse_targets(pages: list[dict[str, Any]] | None) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    for p in pages or []:
        s = p["scores"]
        shown = f"{s['performance']:.0f} / {s['accessibility']:.0f} / {s['best-practices']:.0f}, {p['kb']} KB"
        ok = s["performance"] >= 95 and s["accessibility"] >= 100 and s["best-practices"] >= 100
        rows.append((f"Lighthouse {p['page']} (perf ≥ 95 / a11y 100 / bp 100)", shown, ok))
    return rows or [("Lighthouse", "not measured", None)]


def table(minutes: dict[str, float]) -> list[str]:
    rows = data_targets(_read("results.json") or [])
    rows += pdf_targets(_read("pdf-results.json"))
    rows += incremental_targets(_read("incremental-results.json"))
    rows += lighthouse_targets(_read("lighthouse-results.json"))
    total = sum(minutes.values())
    steps = ", ".join(f"{k} {v} min" for k, v in minutes.items())
    whole = set(minutes) == set(STEPS)
    shown = f"{total:.1f} min ({steps})" if minutes else "not timed (table rewritten from earlier figures)"
    rows.append((f"`make bench` ≤ {BUDGET_MINUTES} min", shown, total <= BUDGET_MINUTES if whole else None))
    lines = ["| target | this run | |", "| --- | --- | --- |"]
    return lines + [f"| {name} | {shown} | {_met(ok)} |" for name, shown, ok in rows]


def write(minutes: dict[str, float]) -> str:
    from bench import machine  # type: ignore[import-not-found]

    path = HERE / "results.md"
    body = path.read_text(encoding="utf-8") if path.exists() else ""
    body = body.split(MARK)[-1].lstrip("\n")
    load = os.getloadavg()[0]
    head = [
        f"# Benchmark results ({date.today()})",
        "",
        f"Machine: {machine()}; load average (1 min) at the end: {load:.1f}.",
        "",
        "## Issue 18's targets, " + ("all from this run of `make bench`" if minutes else "from the last figures"),
        "",
        *table(minutes),
        "",
        "Details: the data stages and HTML builds below; the PDF in `pdf-results.md`, incremental builds",
        "and `serve` in `incremental-results.md`, Lighthouse in `lighthouse-results.md`.",
        "",
        MARK,
        "",
    ]
    text = "\n".join(head) + body
    path.write_text(text, encoding="utf-8")
    return text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip", nargs="*", default=[], choices=sorted(STEPS))
    ap.add_argument("--table-only", action="store_true", help="rewrite the table from the last figures")
    args = ap.parse_args()
    minutes = {} if args.table_only else run_steps(set(args.skip))
    print(write(minutes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
