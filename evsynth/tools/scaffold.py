"""`build.py new`: a study file from the commented template, and its BibTeX entry."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from evsynth.core.limits import MAX_BYTES
from evsynth.core.problems import Problem
from evsynth.load import files as load
from evsynth.load.yamlio import decode_text, find_control_characters
from evsynth.tools.reference_import import bibtex_entry, import_entry

ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")


def study_template(study_id: str, citation: str, today: str) -> str:
    text = resources.files("evsynth").joinpath("study_template.yaml").read_text(encoding="utf-8")
    return text.replace("{id}", study_id).replace("{citation}", citation).replace("{today}", today)


@dataclass(frozen=True)
class Export:
    """Where the paper's reference comes from: a file, its format, and which record (1-based)."""

    path: Path
    format: str = "bibtex"  # bibtex | ris | csl-json
    pick: int | None = None


def scaffold(
    study_id: str, evidence: Path, references: Path, source: Export | Path | None, today: str | None = None
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
    citation, written = study_id.replace("-", ""), list[Path]()
    if source is not None:
        source = source if isinstance(source, Export) else Export(source)
        entry = entry_of(study_id, source)
        got = entry if isinstance(entry, list) else _write_entry(study_id, references, source.path, *entry)
        if isinstance(got, list):
            return [], got
        citation, bib_target = got
        written.append(bib_target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(study_template(study_id, citation, today), encoding="utf-8")
    return [target] + written, []


def entry_of(study_id: str, source: Export) -> tuple[str, str] | list[Problem]:
    """The paper's BibTeX entry from the file: its key and its text, or what stops it."""
    shown = load.display_path(source.path)
    got = load.read_file(source.path)
    if isinstance(got, Problem):
        return [got]
    if len(got.data) > MAX_BYTES:
        why = f"more than {MAX_BYTES:,} bytes: export only the paper's reference"
        return [Problem(shown, 1, 1, "file-too-large", why)]
    text, problems = decode_text(shown, got.data)
    problems += find_control_characters(shown, text or "")
    if text is None or problems:
        return problems
    if source.format == "bibtex":
        return bibtex_entry(shown, text, source.pick)
    return import_entry(shown, text, source.format, source.pick, study_id.replace("-", ""))


def _write_entry(
    study_id: str, references: Path, source: Path, key: str, text: str
) -> tuple[str, Path] | list[Problem]:
    """references/<id>.bib, unless its key or the file exists already."""
    shown = load.display_path(source)
    existing, _ = load.load_bibliography(load.read_files(load.bib_paths(references))[0])
    if key in existing.entries:
        path, line = existing.where[key]
        why = f"entry `{key}` already exists at {path}:{line}: cite it instead"
        return [Problem(shown, 1, 1, "bib-duplicate-key", why)]
    bib_target = references / f"{study_id}.bib"
    if bib_target.exists():
        return [Problem(load.display_path(bib_target), 0, 0, "duplicate-id", "this file already exists")]
    bib_target.parent.mkdir(parents=True, exist_ok=True)
    bib_target.write_text(text, encoding="utf-8")
    return key, bib_target


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
