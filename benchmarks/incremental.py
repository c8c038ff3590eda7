"""Incremental builds and `serve` latency. Writes benchmarks/incremental-results.md.

For N synthetic studies (default 100 and 1,000): the data stages (load, validate, synthesis, cite,
render) of a full build from an empty cache, of a build with nothing changed, and of a build after
one field of one study changed, each with the cache on disk (`build/cache` format) read and written
as `build.py site` does. Then `serve` on the real evidence: the time from saving a change to one
study until the served page holds it.

Run: .venv/bin/python benchmarks/incremental.py [--sizes 100 1000] [--no-serve]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def data_build(ev: Path, refs: Path, cache: Path) -> tuple[float, int, int]:
    """load -> render through the cache in `cache`: seconds, pages and figures rendered, files."""
    from evsynth import pipeline

    t = time.perf_counter()
    checked = pipeline.check(ev, refs, cache=cache)
    pipeline.save_studies(checked, cache)
    memo = pipeline.read_cache(cache)
    built = pipeline.build(checked, memo)
    pipeline.save_cache(memo, cache)
    return time.perf_counter() - t, len(memo.made), len(built.rendered.files)


def change_one(ev: Path) -> Path:
    """Change one field (a note) of one study file, as an editor would."""
    study = sorted(ev.glob("*.yaml"))[len(list(ev.glob("*.yaml"))) // 2]
    text = study.read_text(encoding="utf-8")
    marker = "note: "
    at = text.index(marker) + len(marker)
    study.write_text(text[:at] + "Changed for the benchmark. " + text[at:], encoding="utf-8")
    return study


def run_one(n: int) -> dict[str, object]:
    from evsynth.tools.synthetic_evidence import synthesize_evidence

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        synthesize_evidence(n, ROOT / "evidence", ROOT / "references", base)
        ev, refs, cache = base / "evidence", base / "references", base / "cache"
        full, full_made, files = data_build(ev, refs, cache)
        same, same_made, _ = data_build(ev, refs, cache)
        change_one(ev)
        one, one_made, _ = data_build(ev, refs, cache)
    return {
        "n": n,
        "files": files,
        "full_seconds": round(full, 2),
        "full_rendered": full_made,
        "nochange_seconds": round(same, 2),
        "nochange_rendered": same_made,
        "onechange_seconds": round(one, 2),
        "onechange_rendered": one_made,
        "onechange_ratio": round(one / full, 3),
    }


def serve_latency(changes: int = 3) -> dict[str, object]:
    """`build.py serve` on a copy of the real evidence: seconds from saving a change to one study until
    the served study page holds it (the first build's time too). Best and worst of `changes` saves."""
    import shutil
    import socket
    import urllib.request

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        shutil.copytree(ROOT / "evidence", base / "evidence")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cmd = [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--port",
            str(port),
            "--evidence",
            str(base / "evidence"),
        ]
        cmd += ["--out", str(base / "site"), "--work", str(base / "work")]
        study = sorted((base / "evidence").glob("*.yaml"))[0]
        url = f"http://127.0.0.1:{port}/studies/{study.stem}/"

        def get(address: str) -> str:
            try:
                with urllib.request.urlopen(address, timeout=5) as r:
                    return str(r.read().decode("utf-8"))
            except OSError:
                return ""

        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def save(i: int) -> tuple[str, float]:
            marker = f"Saved change number {i} for the benchmark"
            text = study.read_text(encoding="utf-8")
            at = text.index("note: ", text.index("\ndesign:")) + len("note: ")
            start = time.perf_counter()
            study.write_text(text[:at] + marker + ". " + text[at:], encoding="utf-8")
            return marker, start

        def until(marker: str, start: float, address: str = url) -> float:
            while marker not in get(address):
                time.sleep(0.02)
            return time.perf_counter() - start

        index = f"http://127.0.0.1:{port}/search/search_index.json"
        try:
            while not get(url):
                time.sleep(0.05)
            first = time.perf_counter() - t
            seconds, complete = [], []
            for i in range(changes):  # each saved once the last change is built in full
                marker, start = save(i)
                seconds.append(until(marker, start))
                complete.append(until(marker, start, index))
            marker, start = save(changes)  # saved again while the full build of that change runs
            until(marker, start)
            time.sleep(0.5)
            marker, start = save(changes + 1)
            during = until(marker, start)
        finally:
            proc.terminate()
            proc.wait()
    return {
        "first_build_seconds": round(first, 2),
        "save_to_served_seconds": [round(x, 2) for x in seconds],
        "save_to_complete_seconds": [round(x, 2) for x in complete],
        "during_full_build_seconds": round(during, 2),
    }


def report(rows: list[dict[str, object]], serve: dict[str, object] | None) -> str:
    lines = [
        "# Incremental builds and `serve` latency",
        "",
        f"Measured {date.today().isoformat()} by `benchmarks/incremental.py` on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} (a shared machine).",
        "",
        "Data stages (load, validate, synthesis, cite, render) through the build cache on disk, as",
        "`build.py site` runs them; `rendered` counts the pages, figures and downloads rendered.",
        "",
        "| studies | files | full build | no change | one study changed | one change / full |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['files']} | {r['full_seconds']} s ({r['full_rendered']} rendered) "
            f"| {r['nochange_seconds']} s ({r['nochange_rendered']} rendered) "
            f"| {r['onechange_seconds']} s ({r['onechange_rendered']} rendered) | {float(r['onechange_ratio']):.1%} |"  # type: ignore[arg-type]
        )
    if serve:
        lines += [
            "",
            "`serve` on the real evidence (a copy), from saving a change to one study's design note until",
            "the served study page holds it (the server polls every 0.1 s; the first pass builds that study's",
            "page and the page last asked for, in-process with MkDocs' dirty build), and until the whole",
            "site is rebuilt in the background (the search index holds it):",
            "",
            f"- first build: {serve['first_build_seconds']} s",
            f"- save to served, per change: {', '.join(f'{x} s' for x in serve['save_to_served_seconds'])}",  # type: ignore[attr-defined]
            f"- save to the whole site rebuilt: {', '.join(f'{x} s' for x in serve['save_to_complete_seconds'])}",  # type: ignore[attr-defined]
            f"- a save 0.5 s after the page of the last save was served (its full build stopped): "
            f"{serve['during_full_build_seconds']} s",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000])
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "incremental-results.md")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    rows = []
    for n in args.sizes:  # each size in a fresh process
        cmd = [sys.executable, __file__, "--one", str(n)]
        rows.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
        print(rows[-1], file=sys.stderr)
    serve = None if args.no_serve else serve_latency()
    args.output.write_text(report(rows, serve), encoding="utf-8")
    figures = json.dumps({"rows": rows, "serve": serve}, indent=1) + "\n"  # read by benchmarks/all.py
    args.output.with_suffix(".json").write_text(figures, encoding="utf-8")
    print(args.output.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
