"""One broken fixture per rule: each names, in its header, the (line, code) pairs it must produce."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, REFERENCES, expected
from test_searchlog import log_fixture_codes

from evsynth.core.problems import CODES, Problem
from evsynth.load import files as load
from evsynth.pipeline import gather

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
WARNINGS = sorted((FIXTURES / "warnings").glob("*.yaml"))
BROKEN_BIB = sorted((FIXTURES / "broken-bib").glob("*.bib"))


def problems_of(path: Path) -> list[Problem]:
    inputs = gather(path.parent, REFERENCES, [path])
    return [p for p in inputs.problems if p.path.endswith(path.name)]


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_fixture_reports_its_error(path: Path) -> None:
    found = problems_of(path)
    assert {(p.line, p.code) for p in found if p.is_error} == expected(path)
    for p in found:
        assert p.message and p.column >= 1


@pytest.mark.parametrize("path", WARNINGS, ids=lambda p: p.stem)
def test_source_finding_is_a_warning_not_an_error(path: Path) -> None:
    found = problems_of(path)
    assert {(p.line, ("" if p.is_error else "warning:") + p.code) for p in found} == expected(path)
    assert not any(p.is_error for p in found)


@pytest.mark.parametrize("path", BROKEN_BIB, ids=lambda p: p.stem)
def test_broken_bibtex_reports_its_error(path: Path) -> None:
    files, _ = load.read_files([path])
    bib, problems = load.load_bibliography(files)
    from evsynth.validate.checks import validate_bibliography

    problems += validate_bibliography(bib)
    assert {(p.line, p.code) for p in problems if p.is_error} == expected(path)


def test_every_problem_code_is_shown_by_a_fixture() -> None:
    """The spec is complete: each registered code appears in a fixture or a named test (below, in
    test_yamlio.py, or in test_hostile.py for generated files, links, file names and the time budget)."""
    covered = {code for p in BROKEN + BROKEN_BIB for _, code in expected(p)}
    covered |= {code.split(":")[-1] for p in WARNINGS for _, code in expected(p)}
    covered |= log_fixture_codes()  # the search log's broken fixtures: tests/test_searchlog.py
    tested_here = {
        "file-too-large",
        "value-too-long",
        "duplicate-id",
        "unreadable",
        "yaml-complex-key",
        "schema",
        "incomplete-citation",
        "not-a-mapping",
        "too-many-values",
        "not-a-regular-file",
        "bad-file-name",
        "wrong-extension",
        "too-slow",
        "import-syntax",  # reference-manager exports: tests/test_import.py
        "import-pick",
    }
    assert set(CODES) - covered - tested_here == set()


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    found = problems_of(tmp_path / "missing-2020.yaml")
    assert [(p.code, p.line) for p in found] == [("unreadable", 0)]


def test_complex_key_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "complex-2020.yaml"
    f.write_text("schema_version: 1\n? [a, b]\n: 1\n")
    assert [(p.line, p.code) for p in problems_of(f)] == [(2, "yaml-complex-key")]


def test_incomplete_citation_is_a_warning() -> None:
    inputs = gather(FIXTURES / "evidence", REFERENCES)
    found = [p for p in inputs.problems if p.code == "incomplete-citation"]
    assert [(p.line, p.severity) for p in found] == [(19, "warning")]
    assert "partial1999" in found[0].message


def test_valid_fixture_set_has_no_errors() -> None:
    inputs = gather(FIXTURES / "evidence", REFERENCES)
    assert [p for p in inputs.problems if p.is_error] == []
    assert [s.id for s in inputs.validated.studies] == ["mini-2020", "other-2021"]


def test_huge_file_is_refused_without_parsing(tmp_path: Path) -> None:
    big = tmp_path / "huge-2020.yaml"
    big.write_text("notes: '" + "x" * 3_000_000 + "'\n")
    found = problems_of(big)
    assert [(p.line, p.code) for p in found] == [(1, "file-too-large")]


def test_very_long_value_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "long-2020.yaml"
    f.write_text("schema_version: 1\nnotes: '" + "y" * 50_000 + "'\n")
    assert (2, "value-too-long") in {(p.line, p.code) for p in problems_of(f)}


def test_id_reused_by_a_file_outside_the_evidence_folder(tmp_path: Path) -> None:
    source = FIXTURES / "evidence" / "mini-2020.yaml"
    copy = tmp_path / "mini-2020.yaml"
    copy.write_text(source.read_text())
    inputs = gather(FIXTURES / "evidence", REFERENCES, [copy])
    assert [p.code for p in inputs.problems if p.is_error] == ["duplicate-id"]


def test_every_problem_of_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = (FIXTURES / "evidence" / "mini-2020.yaml").read_text()
    text = text.replace("patients: 10", "pateints: 10").replace("type: case-series", "type: serie")
    text = text.replace("kind: pain-relief\n    per: patients", "kind: pain-relef\n    per: patients")
    f = tmp_path / "mini-2020.yaml"
    f.write_text(text)
    codes = sorted(p.code for p in problems_of(f) if p.is_error)
    assert codes == ["unknown-field", "unknown-value", "unknown-value"]


def test_an_incomplete_entry_may_lack_the_author_and_year_no_page_prints(tmp_path: Path) -> None:
    """Unknown stays unknown: with `x-incomplete` saying why, no author and no year is a warning, and
    the reference starts with its title (Vancouver); a malformed year is still an error."""
    from evsynth.cite.vancouver import format_reference
    from evsynth.validate.checks import validate_bibliography

    bib_file = tmp_path / "refs.bib"
    bib_file.write_text(
        "@article{anon, title = {A series}, journal = {J Vasc},\n  x-incomplete = {No author or year on the page}}\n"
        "@article{bad, title = {B}, journal = {J}, year = {20x5}, x-incomplete = {pages}}\n"
    )
    files, _ = load.read_files([bib_file])
    bib, problems = load.load_bibliography(files)
    found = {(p.code, p.severity) for p in problems + validate_bibliography(bib) if "anon" in p.message}
    assert found == {("incomplete-citation", "warning")}
    assert any(p.code == "bib-bad-year" for p in validate_bibliography(bib) if "`bad`" in p.message)
    assert format_reference(bib.entries["anon"]) == "A series. J Vasc."
    assert bib.label("anon") == "A series n.d."
