"""The hostile corpus: every broken or malicious study and BibTeX file is rejected with its file,
line and code, quickly, in bounded memory, and never with a traceback."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from conftest import FIXTURES, REFERENCES, run_build
from evsynth import load
from evsynth.cli import gather
from evsynth.validate import validate_bibliography

STUDIES = sorted((FIXTURES / "broken").glob("*.yaml"))
BIBS = sorted((FIXTURES / "broken-bib").glob("*.bib"))
LIMIT_SECONDS, LIMIT_BYTES = 5.0, 200 * 1024 * 1024


def generated(tmp: Path) -> list[Path]:
    """Hostile files too big to commit: many megabytes, a huge value, very deep nesting, a huge BibTeX."""
    files = {
        "huge-file.yaml": "notes: '" + "x" * 20_000_000 + "'\n",
        "huge-value.yaml": "schema_version: 1\nid: huge-value\nnotes: '" + "y" * 900_000 + "'\n",
        "deep-nesting.yaml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "many-keys.yaml": "".join(f"k{i}: {i}\n" for i in range(60_000)),
        "huge.bib": "@misc{a, note = {" + "z" * 3_000_000 + "}}\n",
    }
    out = []
    for name, text in files.items():
        (tmp / name).write_text(text)
        out.append(tmp / name)
    return out


def test_the_corpus_is_large_enough() -> None:
    assert len(STUDIES) + len(BIBS) >= 40


def _measure(fn):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    t = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < LIMIT_SECONDS and peak < LIMIT_BYTES, (elapsed, peak)
    return result


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_hostile_study_is_rejected_with_place_and_code(path: Path) -> None:
    inputs = _measure(lambda: gather(path.parent, REFERENCES, [path]))
    errors = [p for p in inputs.problems if p.is_error and p.path.endswith(path.name)]
    assert errors, path.name
    assert all(p.line >= 1 and p.code and p.message for p in errors)
    assert inputs.validated.studies == []


@pytest.mark.parametrize("path", BIBS, ids=lambda p: p.stem)
def test_hostile_bibtex_is_rejected_with_place_and_code(path: Path) -> None:
    def run() -> list[object]:
        bib, problems = load.load_bibliography(load.read_files([path])[0])
        return [*problems, *validate_bibliography(bib)]
    problems = _measure(run)
    assert any(p.is_error and p.line >= 1 for p in problems)  # type: ignore[attr-defined]


def test_generated_hostile_files_are_rejected(tmp_path: Path) -> None:
    for path in generated(tmp_path):
        if path.suffix == ".bib":
            problems = _measure(lambda: load.load_bibliography(load.read_files([path])[0])[1])
            assert [p.code for p in problems] == ["file-too-large"], path.name
            continue
        inputs = _measure(lambda: gather(tmp_path, REFERENCES, [path]))
        errors = [p for p in inputs.problems if p.is_error]
        assert errors and all(p.line >= 1 for p in errors), path.name


def test_the_whole_corpus_through_the_command_line_never_tracebacks(tmp_path: Path) -> None:
    files = STUDIES + generated(tmp_path)
    r = run_build("check", "--evidence", str(FIXTURES / "broken"), "--references", str(FIXTURES / "broken-bib"),
                  *map(str, files))
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr and "internal error" not in r.stderr
    reported = {line.split(":", 1)[0].rsplit("/", 1)[-1] for line in r.stdout.splitlines()}
    assert {f.name for f in files} <= reported
