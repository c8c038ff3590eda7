"""Playing an editor: scaffold, fill, check, build; the mistakes editors make; --changed; field docs."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import FIXTURES, REFERENCES, ROOT, run_build

from evsynth.render.fielddoc import field_docs

SMITH_BIB = """@article{smith2019,
  author = {Smith, A. B. and Jones, C.},
  title = {Embolization of spinal metastases: a series},
  journal = {Test J},
  year = {2019},
  doi = {10.1234/smith.2019}
}
"""


def fill(text: str) -> str:
    """What an editor does to the template: replace the TODOs, uncomment and complete blocks."""
    edits = [
        ("    note: TODO say which copy you read (journal PDF, author manuscript...)\n", "    note: Journal PDF.\n"),
        ("  by: TODO your name\n", "  by: Test Editor\n"),
        ("  source: {report: text, where: TODO Methods section}\n", "  source: {report: text, where: Methods}\n"),
        ("  type: TODO ", "  type: retrospective-case-series "),
        (
            "  - source: {report: text, where: TODO Results or Table 1}\n",
            "  - source: {report: text, where: Table 1}\n",
        ),
        (
            "    patients: TODO            # a whole number\n",
            "    patients: 23\n    age: {mean: 61, min: 38, max: 80}\n",
        ),
        ("  source: {report: text, where: TODO Methods}\n", "  source: {report: text, where: Methods}\n"),
        ("  category: TODO ", "  category: embolization "),
        (
            "  # embolics:\n  #   - {agents: [pva], size_um: {min: 150, max: 300}}\n",
            "  embolics:\n    - {agents: [Ivalon], size_um: {min: 300, max: 500}}\n",
        ),
        ("  - TODO list what is missing (survival, complications...), or delete this block\n", "  - survival\n"),
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return (
        text
        + """
responses:
  - source: {report: text, where: Table 3}
    kind: pain-relief
    label: pain relief
    per: patients
    evaluated: {n: 20, of: 23}
    responders: {n: 16, of: 20, percent: 80}
durations:
  - source: {report: text, where: Results}
    kind: pain-relief
    unit: months
    min: 2
    max: 9
"""
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "evidence", tmp_path / "evidence")
    shutil.copytree(REFERENCES, tmp_path / "references")
    return tmp_path


def args(repo: Path) -> list[str]:
    return ["--evidence", str(repo / "evidence"), "--references", str(repo / "references")]


def test_editor_adds_a_study_end_to_end(repo: Path) -> None:
    (repo / "smith.bib").write_text(SMITH_BIB)
    r = run_build("new", "smith-2019", "--bibtex", str(repo / "smith.bib"), *args(repo))
    assert r.returncode == 0, r.stdout + r.stderr
    study = repo / "evidence" / "smith-2019.yaml"
    assert (repo / "references" / "smith-2019.bib").read_text() == SMITH_BIB
    r = run_build("check", *args(repo), str(study))
    assert r.returncode == 1 and r.stdout.count("[placeholder]") == 9  # the template is refused as it is
    study.write_text(fill(study.read_text()))
    r = run_build("check", *args(repo), str(study))
    assert r.returncode == 0, r.stdout
    r = run_build("site", *args(repo), "--out", str(repo / "site"), "--work", str(repo / "work"))
    assert r.returncode == 0, r.stderr
    site = repo / "site"
    assert "Smith 2019" in (site / "studies" / "index.html").read_text()
    tae = (site / "interventions" / "tae" / "index.html").read_text()
    assert "Smith 2019" in tae
    assert re.search(r'alt="Forest plot: [^"]*Mini 2020, [^"]*6/8[^"]*Smith 2019, [^"]*16/20', tae)
    assert (
        "Smith AB, Jones C. Embolization of spinal metastases: a series. Test J. 2019."
        in (site / "references" / "index.html").read_text()
    )
    assert "smith-2019,population,0,patients,23," in (site / "downloads" / "studies.csv").read_text()
    assert re.search(
        r"tae,pain-relief,PLO,patients,time not stated,responses as the authors define them,2,28,22,",
        (site / "downloads" / "pooled.csv").read_text(),
    )
    pdf = pdfium.PdfDocument(site / "downloads" / "evidence-synthesis.pdf")
    assert "Smith 2019" in [b.get_title() for b in pdf.get_toc()]


def _check_one(repo: Path, edit: tuple[str, str]) -> str:
    text = (repo / "evidence" / "mini-2020.yaml").read_text()
    assert edit[0] in text
    (repo / "evidence" / "mini-2020.yaml").write_text(text.replace(edit[0], edit[1], 1))
    r = run_build("check", *args(repo), "--errors-only")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    return r.stdout.strip()


@pytest.mark.parametrize(
    "edit, expected",
    [
        (("    unit: months\n", "    unit: month\n"), r":30:11: \[unknown-value\] .*'month': did you mean `months`\?"),
        (
            ("    patients: 10\n", "    pateints: 10\n"),
            r":13:5: \[unknown-field\] unknown field `pateints` .*did you mean `patients`\?",
        ),
        (
            ("citation: mini2020\n", "citation: mini2021\n"),
            r":4:11: \[unknown-citation\] .*`mini2021` is not in references/",
        ),
        (
            ("    responders: {n: 6, of: 8, percent: 75}\n", "    responders: {n: 9, of: 8}\n"),
            r":26:21: \[subset-exceeds-total\] .*is 9, more than its denominator `of` \(8\)",
        ),
        (
            ("    responders: {n: 6, of: 8, percent: 75}\n", "    responders: {n: 75, of: 8}\n"),
            r":26:21: \[subset-exceeds-total\] .*if it is a percentage, put it under `percent:`",
        ),
        (
            ("    responders: {n: 6, of: 8, percent: 75}\n", "    responders: {n: 75%, of: 8}\n"),
            r":26:21: \[wrong-type\] .*put a percentage under `percent:`",
        ),
    ],
    ids=["wrong-unit", "key-typo", "missing-reference", "n-above-N", "percentage-as-count", "percent-sign"],
)
def test_likely_editor_mistakes_name_the_line_and_the_fix(repo: Path, edit: tuple[str, str], expected: str) -> None:
    out = _check_one(repo, edit)
    assert re.search(r"mini-2020\.yaml" + expected, out), out


def test_new_refuses_to_overwrite_or_duplicate(repo: Path) -> None:
    r = run_build("new", "mini-2020", *args(repo))
    assert r.returncode == 1 and "[duplicate-id] this study already exists" in r.stdout
    (repo / "dup.bib").write_text("@article{mini2020, author = {X, Y.}, title = {T}, year = {2020}}\n")
    r = run_build("new", "xyz-2020", "--bibtex", str(repo / "dup.bib"), *args(repo))
    assert r.returncode == 1 and "[bib-duplicate-key] entry `mini2020` already exists" in r.stdout
    assert not (repo / "evidence" / "xyz-2020.yaml").exists()
    r = run_build("new", "Bad Id", *args(repo))
    assert r.returncode == 1 and "[bad-format]" in r.stdout


def _git(repo: Path, *a: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *a], check=True, capture_output=True
    )


def test_check_changed_checks_what_differs_from_main(repo: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "edit")
    r = run_build("check", "--changed", *args(repo))
    assert r.returncode == 0 and "no study file differs from main" in r.stderr
    other = repo / "evidence" / "other-2021.yaml"
    other.write_text(other.read_text().replace("patients: 20", "patients: twenty"))
    r = run_build("check", "--changed", "--errors-only", *args(repo))
    assert r.returncode == 1 and "other-2021.yaml" in r.stdout and "mini-2020" not in r.stdout
    assert "checked 0 studies: 1 error(s)" in r.stderr


def test_check_changed_refuses_new_links_and_yml_files_instead_of_skipping_them(repo: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "edit")
    (repo / "evidence" / "leak.yaml").symlink_to("/etc/passwd")
    (repo / "evidence" / "added-2020.yml").write_text("id: [broken\n")
    r = run_build("check", "--changed", "--errors-only", *args(repo))
    assert r.returncode == 1 and "[not-a-regular-file]" in r.stdout and "[wrong-extension]" in r.stdout
    assert ":0:0:" not in r.stdout


def test_changelog_lists_added_and_changed_studies(repo: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Add the first two studies")
    mini = repo / "evidence" / "mini-2020.yaml"
    mini.write_text(mini.read_text().replace("patients: 10", "patients: 10  # checked"))
    _git(repo, "commit", "-q", "-am", "Recheck Mini 2020")
    r = run_build("site", "--no-pdf", *args(repo), "--out", str(repo / "site"), "--work", str(repo / "work"))
    assert r.returncode == 0, r.stderr
    html = (repo / "site" / "changelog" / "index.html").read_text()
    assert html.index("Recheck Mini 2020") < html.index("Add the first two studies")
    assert re.search(r"Mini 2020</a></td>\s*<td>changed</td>", html)
    assert re.search(r"Other 2021</a></td>\s*<td>added</td>", html)


def test_field_reference_documents_every_field(tmp_path: Path) -> None:
    r = run_build(
        "site",
        "--no-pdf",
        "--evidence",
        str(FIXTURES / "evidence"),
        "--references",
        str(REFERENCES),
        "--out",
        str(tmp_path / "site"),
        "--work",
        str(tmp_path / "work"),
    )
    assert r.returncode == 0, r.stderr
    html = unescape((tmp_path / "site" / "fields" / "index.html").read_text())  # as a browser shows it
    docs = field_docs()
    assert len(docs) > 150 and all(d.description for d in docs)
    for d in docs:
        assert f"<code>{d.path}</code>" in html, d.path
    assert "<code>yaml-ambiguous</code>" in html and "Ivalon" in html
    assert "fields/index.md" in (ROOT / "site_src" / "pages" / "contributing" / "index.md").read_text()
    assert "Study file fields" in (ROOT / "CONTRIBUTING.md").read_text()


def test_github_workflow_and_pre_commit_run_the_checks() -> None:
    workflow = (ROOT / ".github" / "workflows" / "evidence.yml").read_text()
    assert "pull_request" in workflow and "build.py check" in workflow and "make test" in workflow
    assert "make site" in workflow and "upload-artifact" in workflow
    hook = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "build.py check" in hook and "^evidence/" in hook
    assert "- [ ]" in (ROOT / ".github" / "pull_request_template.md").read_text()
