"""Acceptance: an editor's correct pull request never fails the tests. The project is copied, then a
study is added exactly as CONTRIBUTING.md says (its own command lines, run in the copy: a branch,
`build.py new` with a BibTeX export from ~/Downloads, the template filled in, `check`, `check
--changed`), or one value of an existing study is corrected. The suite's evidence tests then run on the
copy (EVSYNTH_EVIDENCE and EVSYNTH_REFERENCES) with the site and its PDF, green; and the same tests
fail on a copy with a planted bad value, so green means something."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_editor import SMITH_BIB, fill
from test_evidence import SOURCES

PROJECT = ("build.py", "evsynth", "site_src", "mkdocs.yml", "evidence", "references")
EVIDENCE_TESTS = [
    "tests/test_evidence.py",
    "tests/test_records.py",
    "tests/test_places.py",
    "tests/test_sof.py::test_every_footnote_speaks_of_its_own_row_in_the_real_evidence",
    "tests/test_synthesis.py::test_studies_json_gives_back_every_value_of_every_study_file",
    "tests/test_synthesis.py::test_figures_have_text_alternatives_and_are_reproducible",
    "tests/test_synthesis.py::test_regenerated_table_2_differs_only_where_the_discrepancy_report_says",
    "tests/test_synthesis.py::test_regenerated_table_3_matches_the_printed_rows",
    "tests/test_synthesis.py::test_regenerated_table_4_matches_the_printed_rows",
    "tests/test_cli.py::test_check_repository_evidence_has_no_errors",
    "tests/test_cli.py::test_every_study_file_points_editors_at_the_schema",
]
SITE_TESTS = [  # the site with its PDF, built once from the copy
    "tests/test_reliability.py::test_no_broken_internal_link",
    "tests/test_reliability.py::test_nothing_lost_every_number_reaches_site_and_downloads",
    "tests/test_reliability.py::test_nothing_lost_every_study_reaches_the_pdf",
]
PDF_TESTS = [
    "tests/test_pdf.py::test_every_study_is_in_the_text_with_first_author_and_year",
    "tests/test_pdf.py::test_outline_has_every_chapter_and_study",
    "tests/test_pdf.py::test_each_study_chapter_cites_its_reference_by_its_bibliography_number",
    "tests/test_pdf.py::test_each_study_chapter_shows_its_full_reference[real]",
]


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in PROJECT:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, dest / name)
    return dest


def suite(project: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    """The suite's tests of the real evidence, pointed at the copy's folders."""
    env = dict(os.environ, EVSYNTH_EVIDENCE=str(project / "evidence"), EVSYNTH_REFERENCES=str(project / "references"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *tests],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=1200,
    )  # fmt: skip


def shell(project: Path, line: str) -> subprocess.CompletedProcess[str]:
    """A command line as CONTRIBUTING shows it, run in the copy; `.venv/bin/python` is this interpreter."""
    line = line.replace(".venv/bin/python", shlex.quote(sys.executable))
    env = dict(os.environ, HOME=str(project / "home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")  # fmt: skip
    return subprocess.run(["bash", "-c", line], capture_output=True, text=True, cwd=project, env=env, timeout=600)


def contributing_lines(start: str) -> list[str]:
    """CONTRIBUTING's command lines from the first one starting with `start`, without their comments."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    lines = [line.split("  #")[0].strip() for line in text.splitlines() if line.startswith((".venv/", "git "))]
    return [line for line in lines if line.startswith(start)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def log_where_it_was_found(project: Path, study: str) -> None:
    """CONTRIBUTING's "Log where you found it": a search row for a paper found another way, and its
    record naming the study (the rows as the guide shows them, with ids no one else uses)."""
    log = project / "evidence" / "search"
    with (log / "searches.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("M99,2026-11-22,other methods: reference list of Chiras 2004,Smith 2019,1\r\n")
    with (log / "records.csv").open("a", encoding="utf-8", newline="") as f:
        f.write(f"M999,M99,Downloads/smith.bib,A series,Smith,2019,included,,tae,,{study}\r\n")


def add_a_study_as_contributing_says(project: Path) -> None:
    for git in ("git init -q -b main", "git add -A", "git commit -q -m base", *contributing_lines("git checkout")):
        assert shell(project, git).returncode == 0, git
    (project / "home" / "Downloads").mkdir(parents=True)
    (project / "home" / "Downloads" / "smith.bib").write_text(SMITH_BIB)
    (new,) = [line for line in contributing_lines(".venv/bin/python build.py new") if "--bibtex" in line]
    r = shell(project, new)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (project / "references" / "smith-2019.bib").read_text() == SMITH_BIB
    study = project / "evidence" / "smith-2019.yaml"
    study.write_text(fill(study.read_text()))
    log_where_it_was_found(project, "smith-2019")
    for check in contributing_lines(".venv/bin/python build.py check"):
        r = shell(project, check)
        assert r.returncode == 0, (check, r.stdout, r.stderr)


def test_a_new_study_and_its_own_bib_file_pass_the_evidence_tests_and_build(project: Path) -> None:
    add_a_study_as_contributing_says(project)
    r = suite(project, EVIDENCE_TESTS + SITE_TESTS + PDF_TESTS)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert " passed" in r.stdout


def test_a_corrected_value_passes_the_evidence_tests_and_builds(project: Path) -> None:
    tian = project / "evidence" / "tian-2017.yaml"
    text = tian.read_text()
    assert "mean: 45.3, sd: 12.5" in text
    tian.write_text(text.replace("mean: 45.3, sd: 12.5", "mean: 45.8, sd: 12.5"))
    r = suite(project, EVIDENCE_TESTS + SITE_TESTS)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


PLANTED = {
    "a citation no references/*.bib holds": (
        "tian-2017.yaml", "citation: tian2017\n", "citation: tian2071\n", "test_every_study_file_is_valid",
    ),
    "a file named other than its id": ("tian-2017.yaml", "id: tian-2017\n", "id: tian-2018\n", "test_every_study"),
    "a Table 3 reading the seed paper does not print": (
        "barton-1996.yaml", "palliative: {value: 29,", "palliative: {value: 28,",
        "test_every_reading_of_the_seed_table_3",
    ),
}  # fmt: skip


@pytest.mark.parametrize("planted", PLANTED)
def test_the_evidence_tests_fail_on_a_planted_bad_value(project: Path, planted: str) -> None:
    name, old, new, failing = PLANTED[planted]
    if "Table 3" in planted and not SOURCES.exists():
        pytest.skip("shared/sources not beside the checkout")
    path = project / "evidence" / name
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    r = suite(project, ["tests/test_evidence.py"])
    assert r.returncode == 1 and f"FAILED tests/test_evidence.py::{failing}" in r.stdout, r.stdout[-3000:]
