"""`build.py synth`: realistic synthetic evidence for benchmarks only.

Study i copies the shape of one of the real study files (cycling through them, so the mix of
sizes and sections is the real one), under a new id, year and citation keys, with a BibTeX
entry for every key. Deterministic: the same N gives the same files.
"""

from __future__ import annotations

import re
from pathlib import Path

from evsynth.load import files as load


def synthesize_evidence(n: int, source_evidence: Path, source_refs: Path, out: Path) -> tuple[int, int]:
    """Write N study files to out/evidence and their references to out/references/synthetic-*.bib."""
    shapes = [(p.stem, p.read_text(encoding="utf-8")) for p in load.study_paths(source_evidence)]
    bib, _ = load.load_bibliography(load.read_files(load.bib_paths(source_refs))[0])
    (out / "evidence").mkdir(parents=True, exist_ok=True)
    (out / "references").mkdir(parents=True, exist_ok=True)
    entries: list[str] = []
    for i in range(n):
        stem, text = shapes[i % len(shapes)]
        year = 1975 + i % 50
        new_id = f"{re.sub(r'-[0-9]{4}$', '', stem)}-s{i:05d}-{year}"
        main = re.search(r"^citation: ([a-z0-9]+)", text, re.M)
        keys = sorted(set(re.findall(r"citation: ([a-z0-9]+)", text)), key=len, reverse=True)
        mapping = {k: f"{k}s{i:05d}" for k in keys}
        text = re.sub(r"^id: .*$", f"id: {new_id}", text, count=1, flags=re.M)
        text = re.sub(r"^label: .*$\n", "", text, flags=re.M)
        text = re.sub(r"citation: ([a-z0-9]+)", lambda m: f"citation: {mapping[m.group(1)]}", text)  # noqa: B023 (used at once, inside the loop)
        (out / "evidence" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        for old, new in mapping.items():
            entries.append(_entry(bib, old, new, year if main and old == main.group(1) else None))
    chunk = 400  # entries per file: keeps each file well under the 1 MB limit for one input file
    for k in range(0, len(entries), chunk):
        (out / "references" / f"synthetic-{k // chunk:03d}.bib").write_text(
            "\n".join(entries[k : k + chunk]), encoding="utf-8"
        )
    return n, len(entries)


def _entry(bib: load.Bibliography, old: str, new: str, year: int | None) -> str:
    e = bib.entries[old]
    fields = dict(e.fields)
    if year is not None:
        fields["year"] = str(year)
    authors = " and ".join(str(p) for p in e.persons.get("author", [])) or "Anonymous"
    body = ",\n".join([f"  author = {{{authors}}}"] + [f"  {k} = {{{v}}}" for k, v in fields.items()])
    return f"@{e.type}{{{new},\n{body}\n}}\n"
