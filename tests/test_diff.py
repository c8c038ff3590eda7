"""`build.py diff --base REF` on a fixture repository with two commits: what the second one changes
in the evidence, in Markdown (studies, pooled results, discrepancies, references, problems)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_build

from evsynth import pipeline
from evsynth.core.problems import Problem
from evsynth.load.vocabulary import load_vocabularies
from evsynth.render.diff import diff_markdown
from evsynth.synthesis.compare import compare

HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)) | cell"
NEW_STUDY = (FIXTURES / "evidence" / "mini-2020.yaml").read_text(encoding="utf-8")
NEW_STUDY = NEW_STUDY.replace("id: mini-2020", "id: new-2022").replace("mini2020", "new2022")
NEW_STUDY = NEW_STUDY.replace("{n: 8, of: 10}", "{n: 10, of: 10}")
NEW_STUDY = NEW_STUDY.replace("{n: 6, of: 8, percent: 75}", "{n: 9, of: 10}")
NEW_BIB = """@article{new2022,
  author = {Newer, C.},
  title = {A newer series},
  journal = {Test J},
  year = {2022}
}

@misc{gap2001,
  author = {Gap},
  year = {2001},
  x-incomplete = {No title, journal or pages <b>yet</b>}
}
"""


def _git(repo: Path, *a: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *a], check=True, capture_output=True
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The fixture evidence committed on main, then one commit on a branch that adds a study and an
    incomplete reference, changes a value, makes a printed percentage disagree and adds a note with markup."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "evidence", repo / "evidence")
    shutil.copytree(FIXTURES / "references", repo / "references")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "edit")
    (repo / "evidence" / "new-2022.yaml").write_text(NEW_STUDY, encoding="utf-8")
    (repo / "references" / "new-2022.bib").write_text(NEW_BIB, encoding="utf-8")
    mini = repo / "evidence" / "mini-2020.yaml"
    _edit(mini, "age: {mean: 60,", "age: {mean: 61,")
    mini.write_text(mini.read_text(encoding="utf-8") + f'notes: "{HOSTILE}"\n', encoding="utf-8")
    _edit(repo / "evidence" / "other-2021.yaml", "{n: 17, of: 20, percent: 85}", "{n: 17, of: 20, percent: 80}")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "edit")
    return repo


def diff(repo: Path, *a: str) -> subprocess.CompletedProcess[str]:
    return run_build("diff", "--evidence", str(repo / "evidence"), "--references", str(repo / "references"), *a)


def section(out: str, title: str) -> list[str]:
    """The lines of the section whose heading starts with `title` (up to the next heading)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"### {title}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("### ")), len(lines))
    return [line for line in lines[start + 1 : end] if line]


def test_diff_names_each_change(repo: Path) -> None:
    r = diff(repo, "--base", "main")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("## What this changes in the evidence\n\nCompared with main.\n")
    assert section(out, "Studies added (1)") == ["- **Newer 2022** (new-2022): TAE, 10 patients"]
    changed = section(out, "Studies changed (2)")
    assert "#### Mini 2020 (mini-2020)" in changed and "#### Other 2021 (other-2021)" in changed
    mini = "Mini 2020, full text (Results)"
    assert f"| Population 1, Results › age › mean | 60 ({mini}) | 61 ({mini}) |" in changed
    assert "| Response 1 › responders › percent | 85 (Other 2021, abstract) | 80 (Other 2021, abstract) |" in changed
    assert section(out, "Pooled results that changed (1)")[2:] == [
        "| Pain relief | Transarterial embolization (TAE) | time not stated "
        "| 75.0% (95% CI 34.9% to 96.8%), k = 1 | 81.9% (95% CI 0.5% to 100.0%), k = 2 |"
    ]
    assert section(out, "New discrepancies (1)") == ["- Other 2021: 80% printed for 17/20, which is 85%"]
    assert section(out, "New incomplete references (1)") == [
        "- gap2001: No title, journal or pages &#60;b&#62;yet&#60;/b&#62;"
    ]
    for absent in ("Studies removed", "Resolved", "New problems", "partial1999", "Other 2021: 85%"):
        assert absent not in out


def test_untrusted_text_is_escaped(repo: Path) -> None:
    out = diff(repo, "--base", "main").stdout
    row = next(line for line in out.splitlines() if line.startswith("| Notes (added) |"))
    assert row.count("|") == 4, "the note's | must not open a table cell"
    assert row.endswith(
        "| &#60;img src=x onerror=alert(1)&#62; &#42;&#42;bold&#42;&#42; "
        "&#91;link&#93;(javascript:alert(1)) &#124; cell |"
    )
    for raw in ("<img", "<b>", "**bold**", "[link]", "](javascript"):
        assert raw not in out


def test_removed_studies_and_resolved_findings_read_the_other_way(repo: Path) -> None:
    """The same two builds compared the other way round: the study is removed, the finding resolved,
    the reference no longer listed to complete (its entry is gone), the value back to 60."""
    evidence, references = repo / "evidence", repo / "references"
    base = pipeline.load_revision(evidence, references, "main")
    assert not isinstance(base, Problem)
    before, after = pipeline.side(pipeline.validate_inputs(base)), pipeline.side(pipeline.check(evidence, references))
    out = diff_markdown(compare(after, before), "edit", load_vocabularies())
    assert section(out, "Studies removed (1)") == ["- **Newer 2022** (new-2022): TAE, 10 patients"]
    assert section(out, "Resolved discrepancies (1)") == ["- Other 2021: 80% printed for 17/20, which is 85%"]
    assert "| Notes (removed) | &#60;img" in out and "| 61 (Mini 2020, full text (Results)) | 60 (Mini" in out
    assert "New discrepancies" not in out and "incomplete references" not in out


def test_no_change_and_uncommitted_changes(repo: Path) -> None:
    r = diff(repo, "--base", "HEAD")
    assert (r.returncode, r.stdout) == (0, "No change to the evidence.\n")
    _edit(repo / "evidence" / "mini-2020.yaml", "age: {mean: 61,", "age: {mean: 62,")  # not committed: counts
    out = diff(repo, "--base", "HEAD").stdout
    assert section(out, "Studies changed (1)")[-1].startswith("| Population 1, Results › age › mean | 61 (Mini")


def test_a_study_with_errors_is_not_called_removed_alone(repo: Path) -> None:
    _edit(repo / "evidence" / "other-2021.yaml", "patients: 20", "patients: twenty")
    mini = repo / "evidence" / "mini-2020.yaml"
    mini.write_text(mini.read_text(encoding="utf-8") + "not_reported: [survival, complications]\n", encoding="utf-8")
    out = diff(repo, "--base", "HEAD").stdout
    assert section(out, "Studies removed (1)") == [
        "- **Other 2021** (other-2021): PVP+TACE, 20 patients "
        "(left out of the build: its file now has errors, see New problems)"
    ]
    assert "| Not reported (added) | — | survival, complications |" in section(out, "Studies changed (1)")
    assert any("other-2021.yaml:" in line and "[wrong-type]" in line for line in section(out, "New problems"))


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=x"])
def test_unknown_ref_is_a_clear_error(repo: Path, ref: str) -> None:
    r = diff(repo, f"--base={ref}")
    assert r.returncode == 2 and r.stdout == ""
    assert f"build.py diff: no commit or branch '{ref}' to compare with" in r.stderr and "Traceback" not in r.stderr


def test_outside_a_git_repository_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "evidence", tmp_path / "evidence")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    r = run_build(
        "diff", "--evidence", str(tmp_path / "evidence"), "--references", str(FIXTURES / "references"), env=env
    )
    assert r.returncode == 2 and "needs a git repository" in r.stderr and "Traceback" not in r.stderr


def test_pull_requests_show_the_diff_in_the_job_summary() -> None:
    workflow = (ROOT / ".github" / "workflows" / "evidence.yml").read_text(encoding="utf-8")
    assert 'build.py diff --base "origin/$BASE_REF" >> "$GITHUB_STEP_SUMMARY"' in workflow
    assert "BASE_REF: ${{ github.base_ref }}" in workflow
