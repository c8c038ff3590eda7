"""`build.py new`: a study file from the commented template, and its BibTeX entry."""

from __future__ import annotations

import re
import sys
from datetime import date
from importlib import resources
from pathlib import Path

from evsynth.core.problems import Problem
from evsynth.load import files as load

ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")


def study_template(study_id: str, citation: str, today: str) -> str:
    text = resources.files("evsynth").joinpath("study_template.yaml").read_text(encoding="utf-8")
    return text.replace("{id}", study_id).replace("{citation}", citation).replace("{today}", today)


def scaffold(
    study_id: str, evidence: Path, references: Path, bibtex: Path | None, today: str | None = None
) -> tuple[list[Path], list[Problem]]:
    """Write evidence/<id>.yaml (and references/<id>.bib); refuse to overwrite anything."""
    today = today or date.today().isoformat()
    if not ID.match(study_id):
        why = f"study id {study_id!r}: use lower case letters, digits and hyphens, e.g. smith-2019"
        return [], [Problem(study_id, 0, 0, "bad-format", why)]
    target = evidence / f"{study_id}.yaml"
    if target.exists():
        why = "this study already exists: edit it, or choose another id"
        return [], [Problem(load.display_path(target), 0, 0, "duplicate-id", why)]
    citation, written = study_id.replace("-", ""), []
    if bibtex is not None:
        got = _add_bibtex(study_id, references, bibtex)
        if isinstance(got, list):
            return [], got
        citation, bib_target = got
        written.append(bib_target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(study_template(study_id, citation, today), encoding="utf-8")
    return [target] + written, []


def _add_bibtex(study_id: str, references: Path, bibtex: Path) -> tuple[str, Path] | list[Problem]:
    """Copy the paper's one BibTeX entry to references/<id>.bib: its key, and where it went."""
    files, problems = load.read_files([bibtex])
    bib, parse_problems = load.load_bibliography(files)
    problems += parse_problems
    if problems:
        return problems
    shown = load.display_path(bibtex)
    if len(bib.entries) != 1:
        return [Problem(shown, 1, 1, "bib-syntax", f"expected one BibTeX entry, found {len(bib.entries)}")]
    citation = next(iter(bib.entries))
    existing, _ = load.load_bibliography(load.read_files(load.bib_paths(references))[0])
    if citation in existing.entries:
        path, line = existing.where[citation]
        why = f"entry `{citation}` already exists at {path}:{line}: cite it instead"
        return [Problem(shown, 1, 1, "bib-duplicate-key", why)]
    bib_target = references / f"{study_id}.bib"
    if bib_target.exists():
        return [Problem(load.display_path(bib_target), 0, 0, "duplicate-id", "this file already exists")]
    bib_target.parent.mkdir(parents=True, exist_ok=True)
    bib_target.write_bytes(files[0].data)
    return citation, bib_target


def report_scaffold(paths: list[Path], problems: list[Problem]) -> int:
    from evsynth.core.problems import format_problems

    for line in format_problems(problems):
        print(line)
    for p in paths:
        print(f"wrote {load.display_path(p)}")
    if paths:
        print(
            f"next: fill in {load.display_path(paths[0])}, then run python build.py check "
            f"{load.display_path(paths[0])}",
            file=sys.stderr,
        )
    return 1 if problems else 0
