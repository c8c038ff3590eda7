"""Build cost as the evidence grows. Writes benchmarks/results.md.

For N = 10, 100, 1,000, 10,000 synthetic studies: the data stages (load, validate, pool,
render Markdown) and a bare libyaml parse of the same files. For N = 100 and 1,000: the full
HTML build with each engine (Material, Zensical) beside a plain `mkdocs build` and a plain
`zensical build` of the same generated Markdown (the PDF: `bench_pdf.py`). Each N runs in a fresh
process; peak memory is the process's maximum resident set after the stage.

Run: make bench   (or .venv/bin/python benchmarks/bench.py --sizes 10 100 --html 100)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, html: bool) -> dict[str, object]:
    """All stages for one N, in this (fresh) process."""
    import yaml

    from evsynth import pipeline
    from evsynth.load import files as load
    from evsynth.tools.synthetic_evidence import synthesize_evidence

    out: dict[str, object] = {"n": n}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        synthesize_evidence(n, ROOT / "evidence", ROOT / "references", base)
        ev, refs = base / "evidence", base / "references"

        def stage(name: str, fn):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            result = fn()
            out[name] = {"seconds": round(time.perf_counter() - t, 3), "peak_mb": round(rss_mb(), 1)}
            return result

        paths = load.study_paths(ev)
        stage("libyaml", lambda: [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in paths])
        loaded = stage("load", lambda: pipeline.load_inputs(ev, refs))
        checked = stage("validate", lambda: pipeline.validate_inputs(loaded))
        validated = checked.validated
        syn = stage("pool", lambda: pipeline.synthesis(checked))
        cited = pipeline.citations(checked)
        rendered = stage("render", lambda: pipeline.render(checked, syn, cited))
        built = pipeline.Built(syn, cited, rendered)
        data = sum(out[k]["seconds"] for k in ("load", "validate", "pool", "render"))  # type: ignore[index]
        out["data_stages_seconds"] = round(data, 3)
        parse = max(out["libyaml"]["seconds"], 1e-9)  # type: ignore[index]
        out["ratio_to_libyaml"] = round(data / parse, 2)
        checked_seconds = out["load"]["seconds"] + out["validate"]["seconds"]  # type: ignore[index]
        out["load_validate_ratio"] = round(checked_seconds / parse, 2)
        out["render_ms_per_study"] = round(1000 * out["render"]["seconds"] / max(n, 1), 2)  # type: ignore[index]
        out["studies_valid"] = len(validated.studies)
        if html:
            out.update(html_builds(checked, built, base, data))
            out["html_pages"] = len(rendered.pages)
    return out


def html_builds(checked: object, built: object, base: Path, data: float) -> dict[str, object]:
    """Per engine: the full build (data stages, then the engine, CSP and swap, from a fresh work
    folder) and the engine alone on the same generated Markdown from a cold cache (no CSP, no swap).
    Material's keys keep their earlier names, so older rows still read."""
    from evsynth import pipeline
    from evsynth.publish import engine as engines
    from evsynth.publish.site import mkdocs_config

    out: dict[str, object] = {}
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    for name in engines.ENGINES:
        key = "" if name == "material" else "_zensical"
        plain = "plain_mkdocs_seconds" if name == "material" else "plain_zensical_seconds"
        work = base / f"work-{name}"
        t = time.perf_counter()
        code = pipeline.publish(checked, built, base / f"site-{name}", work, pdf=False, engine=name)  # type: ignore[arg-type]
        total = data + time.perf_counter() - t
        assert code == 0, f"the {name} build failed"
        shutil.rmtree(work / ".cache", ignore_errors=True)  # Zensical's cache: the plain build starts cold
        nav = built.rendered.nav  # type: ignore[attr-defined]
        config = mkdocs_config(work, work / "docs", work / "plain-site", nav, engine=name)
        t = time.perf_counter()
        subprocess.run(engines.command(name, config), env=env, check=True, capture_output=True)
        out[plain] = round(time.perf_counter() - t, 3)
        out[f"html{key}_total_seconds"] = round(total, 3)
        out[f"html{key}_ratio_to_plain"] = round(total / out[plain], 2)  # type: ignore[operator]
    out["html_ratio_to_plain_mkdocs"] = out.pop("html_ratio_to_plain")
    return out


def machine() -> str:
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        cpu = next(
            (
                x.split(":", 1)[1].strip()
                for x in Path("/proc/cpuinfo").read_text().splitlines()
                if x.startswith("model name")
            ),
            "",
        )
    mem = ""
    if Path("/proc/meminfo").exists():
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} cores{mem}, {cpu}, Python {platform.python_version()}"


def check_real() -> float:
    """`build.py check` on the real evidence, interpreter start included (best of 3)."""
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "check", "--errors-only"], check=True, capture_output=True
        )
        best = min(best, time.perf_counter() - t)
    return round(best, 3)


def site_real(engine: str = "material") -> float:
    """`build.py site --no-pdf --engine ENGINE` on the real evidence, interpreter start included (best of 3)."""
    best = 1e9
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, str(ROOT / "build.py"), "site", "--no-pdf", "--engine", engine]
                + ["--out", f"{tmp}/site", "--work", f"{tmp}/work"],
                check=True,
                capture_output=True,
            )
            best = min(best, time.perf_counter() - t)
    return round(best, 2)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--with-html", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    ap.add_argument("--html", type=int, nargs="*", default=[100, 1000])
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.with_html)))
        return 0
    store = args.output.with_suffix(".json")
    previous = {r["n"]: r for r in json.loads(store.read_text())} if store.exists() else {}
    rows = []
    for n in sorted(set(args.sizes) | set(args.html)):
        cmd = [sys.executable, __file__, "--one", str(n)]
        cmd += ["--with-html"] if n in args.html else []
        print("running", " ".join(cmd[2:]), file=sys.stderr)
        rows.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
    for row in rows:  # a row keeps the HTML figures of an earlier run it did not repeat
        kept = {k: v for k, v in previous.get(row["n"], {}).items() if k != "pdf"}  # the PDF: bench_pdf.py
        previous[row["n"]] = kept | row
    merged = [previous[n] for n in sorted(previous)]
    store.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    sites = {engine: site_real(engine) for engine in ("material", "zensical")}
    args.output.write_text(report(merged, check_real(), sites), encoding="utf-8")
    print(args.output.read_text())
    return 0


def _cell(row: dict[str, object], key: str) -> str:
    v = row.get(key)
    return f"{v['seconds']:.2f} s, {v['peak_mb']:.0f} MB" if isinstance(v, dict) else "–"


FLAT = 1.5  # render time per study at N within this factor of its figure at 100 studies counts as flat
TARGET_SIZES = {"load_validate_ratio": (1000, 10000), "ratio_to_libyaml": (10000,)}


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _ratio(r: dict[str, object], key: str, limit: float) -> str:
    value = r.get(key)
    if not isinstance(value, (int, float)):
        return "–"
    return f"{value} ({_met(value <= limit)})" if r["n"] in TARGET_SIZES[key] else f"{value}"


def targets(rows: list[dict[str, object]]) -> list[str]:
    """Each N's figures beside the data-stage targets: load + validate within 2x of the libyaml parse
    at 1,000 and 10,000 studies, the data stages within 3x at 10,000, render time per study flat."""
    base = next((r.get("render_ms_per_study") for r in rows if r["n"] == 100), None)
    lines = [
        "Targets: load + validate within 2× of the libyaml parse at 1,000 and 10,000 studies; the data stages",
        f"(load, validate, pool, render) within 3× of it at 10,000; render time per study flat (within {FLAT}× of",
        "its figure at 100 studies) from 100 to 10,000 studies.",
        "",
        "| studies | load + validate × libyaml (≤ 2) | data stages × libyaml (≤ 3) | render per study (flat) |",
        "| --- | --- | --- | --- |",
    ]
    for r in rows:
        per = r.get("render_ms_per_study")
        flat = "–"
        if isinstance(per, (int, float)):
            judged = isinstance(base, (int, float)) and isinstance(r["n"], int) and r["n"] > 100
            flat = f"{per:.1f} ms ({_met(per <= FLAT * base)})" if judged else f"{per:.1f} ms"  # type: ignore[operator]
        lines.append(
            f"| {r['n']:,} | {_ratio(r, 'load_validate_ratio', 2)} | {_ratio(r, 'ratio_to_libyaml', 3)} | {flat} |"
        )
    return lines


def report(rows: list[dict[str, object]], check_seconds: float, sites: dict[str, float]) -> str:
    lines = [
        f"## Data stages and HTML builds (`benchmarks/bench.py`, {date.today()})",
        "",
        "Synthetic evidence from `build.py synth` (the real files' shapes). Times are wall clock; memory is",
        "the peak resident set of the process after the stage. Regenerate with `make bench`.",
        "",
        f"- `build.py check` on the real evidence, interpreter start included: **{check_seconds:.2f} s** "
        "(target < 1 s).",
        f"- `build.py site --no-pdf` on the real evidence (best of 3): **{sites['material']:.2f} s** with Material, "
        f"**{sites['zensical']:.2f} s** with Zensical (`--engine zensical`).",
        "",
        "### Data stages",
        "",
        "| studies | valid | libyaml parse | load | validate | pool | render Markdown | data stages | × libyaml |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r.get('studies_valid', '?'):,} | {_cell(r, 'libyaml')} | {_cell(r, 'load')} | "
            f"{_cell(r, 'validate')} | "
            f"{_cell(r, 'pool')} | {_cell(r, 'render')} | {r['data_stages_seconds']:.2f} s | "
            f"{r['ratio_to_libyaml']} |"
        )
    lines += ["", *targets(rows), ""]
    lines += [
        "### Full HTML build",
        "",
        "Our build is every stage plus the engine, the CSP and the swap (`build.py site --no-pdf --engine`); the",
        "plain build is the engine alone on the same generated Markdown (Zensical from a cold cache).",
        "",
        "| studies | pages | ours, Material | plain `mkdocs build` | ratio | ours, Zensical | plain `zensical build` "
        "| ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "html_total_seconds" in r:
            z = r.get("html_zensical_total_seconds")
            zensical = (
                f"{z:.1f} s | {r['plain_zensical_seconds']:.1f} s | {r['html_zensical_ratio_to_plain']}"
                if isinstance(z, float)
                else "– | – | –"
            )
            lines.append(
                f"| {r['n']:,} | {r['html_pages']} | {r['html_total_seconds']:.1f} s | "
                f"{r['plain_mkdocs_seconds']:.1f} s | {r['html_ratio_to_plain_mkdocs']} | {zensical} |"
            )
    lines += ["", "Target: within 1.3× of the plain mkdocs build at 1,000 studies.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
