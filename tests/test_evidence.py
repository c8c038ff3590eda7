"""The real evidence as editors change it: invariants that hold for any correct set of study and BibTeX
files, and the seed paper's printed tables checked against its text in ../shared/sources (skipped when
absent). No count or list of the studies: exact expectations live on fixtures (test_seed.py).

The folders are the repository's, or those named by EVSYNTH_EVIDENCE and EVSYNTH_REFERENCES (the
acceptance test in test_editor_pr.py runs this file on a copy with an editor's new study)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import BIBLIOGRAPHY, EVIDENCE, ROOT

from evsynth.core.model import Study, Value
from evsynth.load import files as load
from evsynth.pipeline import Checked as Inputs
from evsynth.pipeline import gather

SOURCES = ROOT.parent / "shared" / "sources"
SEED_STUDY, SEED_CITATION = "chiras-2004", "chiras2004"  # the seed paper, whose tables the sources print
needs_sources = pytest.mark.skipif(not SOURCES.exists(), reason="shared/sources not beside the checkout")


@lru_cache(maxsize=1)
def inputs() -> Inputs:
    return gather(EVIDENCE, BIBLIOGRAPHY)


def study(sid: str) -> Study:
    return next(s for s in inputs().validated.studies if s.id == sid)


def bib_text(references: Path = BIBLIOGRAPHY) -> str:
    """Every BibTeX file of the references folder, the way the build reads them (references/*.bib)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in load.bib_paths(references))


def test_every_study_file_is_valid_and_becomes_a_study() -> None:
    assert [p.message for p in inputs().problems if p.is_error] == []
    assert sorted(s.id for s in inputs().validated.studies) == sorted(f.stem for f in EVIDENCE.glob("*.yaml"))


def test_study_files_are_named_by_id() -> None:
    for f in EVIDENCE.glob("*.yaml"):
        assert f"\nid: {f.stem}\n" in f.read_text(), f.name


def test_no_value_lacks_a_report() -> None:
    for s in inputs().validated.studies:
        for v in s.values():
            assert isinstance(v, Value) and v.source.report.id in s.reports
            assert v.locator.startswith(v.source.report.citation_label)


def cited_keys(studies: list[Study]) -> set[str]:
    return {s.citation for s in studies} | {r.citation for s in studies for r in s.reports.values()}


def test_every_citation_resolves_in_some_bib_file() -> None:
    """Citations may live in any references/*.bib: `build.py new --bibtex` writes references/<id>.bib."""
    bib, problems = load.load_bibliography(load.read_files(load.bib_paths(BIBLIOGRAPHY))[0])
    assert [p.message for p in problems if p.is_error] == []
    assert cited_keys(inputs().validated.studies) - set(bib.entries) == set()


def test_every_incomplete_entry_is_listed_by_check() -> None:
    keys = set(re.findall(r"@\w+\{([^,\s]+),(?:(?!\n@).)*?x-incomplete\s*=", bib_text(), re.S))
    listed = {p.message.split("`")[1] for p in inputs().problems if p.code == "incomplete-citation"}
    assert keys == listed


# The seed paper's printed tables, against its text.


def _printed_rows(source: str, start: str, end: str) -> str:
    return source.split(start)[1].split(end)[0]


@needs_sources
def test_seed_table_1_rows_match_the_source_text() -> None:
    source = (SOURCES / "chiras-2004-eur-radiol.txt").read_text()
    block = _printed_rows(source, "Table 1 Patient characteristics", "Table 2 Distribution")
    printed = {int(m[1]): (m[2], int(m[3]), m[4]) for m in re.finditer(r"^(\d+) ([MF]) (\d+) (.+)$", block, re.M)}
    table = study(SEED_STUDY).patients_table
    assert table is not None and printed
    for row in table.rows:
        sex, age, rest = printed[row.no]
        assert (row.sex, row.age) == (sex, age), row.no
        assert rest.endswith(row.location or ""), (row.no, rest)
    assert sorted(row.no for row in table.rows) == sorted(printed)


@needs_sources
def test_every_reading_of_the_seed_table_3_matches_its_printed_row() -> None:
    source = (SOURCES / "chiras-2004-eur-radiol.txt").read_text()
    read = 0
    for s in inputs().validated.studies:
        for r in s.population:
            report = r.source.report
            if (report.citation, report.kind, report.where) != (SEED_CITATION, "secondary-table", "Table 3"):
                continue
            assert r.patients is not None and r.palliative is not None, s.id
            name, year = s.label.split(" ")[0].replace("'", "’"), s.label.split(" ")[1]
            row = rf"^{name} \[\d+\] {year} {r.patients.value:g} {r.palliative.value:g}\b"
            assert re.search(row, source, re.M), (s.id, row)
            read += 1
    assert read > 0


@needs_sources
def test_tian_reference_list_entries_are_those_tian_prints() -> None:
    printed = {
        int(n) for n in re.findall(r"^\s*•\s*(\d+)\. ", (SOURCES / "tian-2017-iran-j-radiol.txt").read_text(), re.M)
    }
    numbers = [int(n) for n in re.findall(r"x-source = \{Tian 2017, reference (\d+)", bib_text())]
    assert printed and len(numbers) == len(set(numbers)) and set(numbers) <= printed


@needs_sources
def test_dois_and_pmids_read_from_the_sources_are_those_the_sources_state() -> None:
    """An entry whose `x-source` names a shared source holds only the DOI and PMID that source states."""
    facts = (SOURCES / "abstract-facts.md").read_text() + (SOURCES / "tian-2017-iran-j-radiol.txt").read_text()
    for entry in re.split(r"(?m)^(?=@)", bib_text()):
        source = re.search(r"x-source = \{([^}]*)\}", entry)
        if not source or not re.search(
            r"abstract-facts\.md|tian-2017-iran-j-radiol\.txt|Tian 2017|Chiras 2004", source[1]
        ):
            continue
        for doi in re.findall(r"doi = \{([^}]+)\}", entry):
            assert doi.lower() in facts.lower(), doi
        for pmid in re.findall(r"pmid = \{([^}]+)\}", entry):
            assert pmid in facts, pmid
