"""The hostile corpus: every broken or malicious study and BibTeX file is rejected with its file,
line and code, quickly, in bounded memory, and never with a traceback."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import FIXTURES, REFERENCES, run_build

from evsynth.load import files as load
from evsynth.pipeline import gather
from evsynth.validate.checks import validate_bibliography

STUDIES = sorted((FIXTURES / "broken").glob("*.yaml"))
BIBS = sorted((FIXTURES / "broken-bib").glob("*.bib"))
T = TypeVar("T")
LIMIT_SECONDS, LIMIT_BYTES = 5.0, 200 * 1024 * 1024
GENERATED_BIB = {
    "huge.bib": "file-too-large",
    "duplicate-field-newlines.bib": "bib-duplicate-field",
    "many-entries.bib": "too-many-items",
    "many-names.bib": "value-too-long",
    "many-fields.bib": "value-too-long",
    "deep-braces.bib": "value-too-long",
}


def generated(tmp: Path) -> list[Path]:
    """Hostile files too big to commit: many megabytes, a huge value, very deep nesting, a huge BibTeX."""
    files = {
        "huge-file.yaml": "notes: '" + "x" * 20_000_000 + "'\n",
        "huge-value.yaml": "schema_version: 1\nid: huge-value\nnotes: '" + "y" * 900_000 + "'\n",
        "deep-nesting.yaml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "many-keys.yaml": "".join(f"k{i}: {i}\n" for i in range(60_000)),
        "huge.bib": "@misc{a, note = {" + "z" * 3_000_000 + "}}\n",
        # red team: 49 plain values of `1` + 20,000 `_` + `x` took 119 s (regex backtracking)
        "quadratic-scalars.yaml": "".join(f"k{i}: 1{'_' * 19_990}x\n" for i in range(49)),
        # red team: 240,000 `not_reported` items passed check, then the build took 569 s and 9 GB
        "many-items.yaml": _study("not_reported:\n" + "- x\n" * 240_000),
        # red team: `![` * 10,000 in one complication event made the PDF take 306 s
        "markup-event.yaml": _study(
            "complications:\n  - source: {report: text}\n    event: '" + "![" * 10_000 + "'\n    n: 0\n"
        ),
        # red team: a duplicate field then 100,000 newlines took 70 s (quadratic); here 990,000
        "duplicate-field-newlines.bib": "@misc{a, author = {A, B}, year = {2020}, title = {x},\ntitle = {y}"
        + "\n" * 990_000
        + "}\n",
        "long-enum-values.yaml": _study(
            "complications:\n"
            + "".join(f"  - {{source: {{report: text}}, event: e, severity: {'s' * 19_000}{i}}}\n" for i in range(45))
        ),
        "many-names.bib": "@misc{a, author = {" + " and ".join(["Aa, B"] * 60_000) + "}, year = {2020}}\n",
        "many-fields.bib": "@misc{a, " + ", ".join(f"f{i} = {{x}}" for i in range(70_000)) + "}\n",
        "deep-braces.bib": "@misc{a, title = " + "{" * 300_000 + "}" * 300_000 + "}\n",  # refused unparsed
        "many-entries.bib": "".join(f"@misc{{k{i}, author = {{A, B}}, year = {{2020}}}}\n" for i in range(20_000)),
    }
    out = []
    for name, text in files.items():
        (tmp / name).write_text(text)
        out.append(tmp / name)
    return out


def _study(tail: str) -> str:
    """The valid fixture study with `tail` appended."""
    return (FIXTURES / "evidence" / "mini-2020.yaml").read_text() + tail


def test_the_corpus_is_large_enough() -> None:
    assert len(STUDIES) + len(BIBS) >= 40


def _measure(fn: Callable[[], T]) -> T:
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
            problems = _measure(lambda: load.load_bibliography(load.read_files([path])[0])[1])  # noqa: B023 (used at once, inside the loop)
            assert [p.code for p in problems] == [GENERATED_BIB[path.name]], path.name
            continue
        inputs = _measure(lambda: gather(tmp_path, REFERENCES, [path]))  # noqa: B023 (used at once, inside the loop)
        errors = [p for p in inputs.problems if p.is_error]
        assert errors and all(p.line >= 1 for p in errors), path.name


def test_the_whole_corpus_through_the_command_line_never_tracebacks(tmp_path: Path) -> None:
    files = STUDIES + generated(tmp_path)
    r = run_build(
        "check", "--evidence", str(FIXTURES / "broken"), "--references", str(FIXTURES / "broken-bib"), *map(str, files)
    )
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr and "internal error" not in r.stderr
    reported = {line.split(":", 1)[0].rsplit("/", 1)[-1] for line in r.stdout.splitlines()}
    assert {f.name for f in files} <= reported


# ---- files: links, names and extensions ------------------------------------------------------


def _evidence_with(tmp: Path, name: str) -> Path:
    folder = tmp / "evidence"
    folder.mkdir(exist_ok=True)
    return folder / name


def _codes_for(evidence: Path, name_part: str) -> list[tuple[int, str]]:
    inputs = gather(evidence, REFERENCES)
    return [(p.line, p.code) for p in inputs.problems if name_part in p.path and p.is_error]


def test_a_symlinked_study_is_refused_without_printing_its_target(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-MARKER:/root:/bin/bash\n")
    link = _evidence_with(tmp_path, "leak.yaml")
    link.symlink_to(secret)  # red team: ln -s /etc/passwd evidence/leak.yaml printed its first line
    (tmp_path / "evidence" / "passwd.yaml").symlink_to("/etc/passwd")
    assert _codes_for(link.parent, "leak.yaml") == [(1, "not-a-regular-file")]
    r = run_build("check", "--evidence", str(link.parent), "--references", str(REFERENCES))
    assert r.returncode == 1 and "leak.yaml" in r.stdout and "passwd.yaml" in r.stdout
    assert [w for w in ("SECRET", ":0:0:", "/bin/") if w in r.stdout + r.stderr] == []
    r = run_build("check", "--references", str(REFERENCES), str(link))  # named on the command line too
    assert "[not-a-regular-file]" in r.stdout and "SECRET" not in r.stdout


def test_links_folders_and_pipes_are_refused_in_both_folders(tmp_path: Path) -> None:
    import os

    _evidence_with(tmp_path, "folder-2020.yaml").mkdir()
    os.mkfifo(_evidence_with(tmp_path, "pipe-2020.yaml"))  # reading it would block forever
    refs = tmp_path / "references"
    refs.mkdir()
    (refs / "fixture.bib").write_text((REFERENCES / "fixture.bib").read_text())
    (refs / "leak.bib").symlink_to(REFERENCES / "fixture.bib")
    inputs = _measure(lambda: gather(tmp_path / "evidence", refs))
    found = sorted((Path(p.path).name, p.code) for p in inputs.problems if p.is_error)
    assert found == [
        ("folder-2020.yaml", "not-a-regular-file"),
        ("leak.bib", "not-a-regular-file"),
        ("pipe-2020.yaml", "not-a-regular-file"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Upper-2020.yaml",
        "space 2020.yaml",
        "x\n::error file=a.py::owned.yaml",
        "\x1b]0;title\x07.yaml",
        "\u202eevil.yaml",
        ".hidden.yaml",
        "-dash.yaml",
    ],
)
def test_unsafe_file_names_are_refused(tmp_path: Path, name: str) -> None:
    path = _evidence_with(tmp_path, name)
    path.write_text("schema_version: 1\n")
    assert [code for _, code in _codes_for(path.parent, "")] == ["bad-file-name"]


@pytest.mark.parametrize("name", ["broken-2020.yml", "broken-2020.YAML", "broken-2020.Yaml"])
def test_other_yaml_extensions_are_refused_not_ignored(tmp_path: Path, name: str) -> None:
    path = _evidence_with(tmp_path, name)
    path.write_text("schema_version: 1\nid: [broken\n")
    found = gather(path.parent, REFERENCES).problems
    assert [(p.line, p.code) for p in found if p.is_error] == [(1, "wrong-extension")]
    assert "rename it to `broken-2020.yaml`" in found[0].message


def test_upper_case_bibtex_extension_is_refused_not_ignored(tmp_path: Path) -> None:
    refs = tmp_path / "references"
    refs.mkdir()
    (refs / "more.BIB").write_text("@article{broken,\n")
    inputs = gather(FIXTURES / "evidence", refs)
    assert ("wrong-extension", "more.BIB") in {(p.code, Path(p.path).name) for p in inputs.problems}


# ---- what check prints: one escaping boundary per output format ------------------------------

INJECTED_NAME = "x\n::error file=a.py,line=1::owned.yaml"


def test_terminal_output_shows_control_and_bidi_characters_as_escapes(tmp_path: Path) -> None:
    refs = tmp_path / "references"
    refs.mkdir()
    (refs / "fixture.bib").write_bytes((FIXTURES / "broken-bib" / "bib-control-character.bib").read_bytes())
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / INJECTED_NAME).write_text("schema_version: 1\n")
    (evidence / "bad\udcff.yaml").write_text("schema_version: 1\n")  # a name that is not UTF-8
    r = run_build("check", "--evidence", str(evidence), "--references", str(refs))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert not any(c in r.stdout for c in "\x1b\x07\u202e\udcff")
    assert len(r.stdout.splitlines()) == 4 + 2  # four control characters, two file names
    assert "\\x0a::error file=a.py,line=1::owned.yaml" in r.stdout and "\\udcff.yaml" in r.stdout


def test_github_annotations_escape_file_names_and_messages(tmp_path: Path) -> None:
    from evsynth.core.problems import Problem, format_github

    line = format_github(Problem(INJECTED_NAME, 2, 3, "bad-file-name", "50% \x1b[31mred\x1b[0m\nsecond"))
    assert line == (
        "::error file=x\\x0a%3A%3Aerror file=a.py%2Cline=1%3A%3Aowned.yaml,line=2,col=3,"
        "title=bad-file-name::50%25 \\x1b[31mred\\x1b[0m%0Asecond"
    )
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / INJECTED_NAME).write_text("schema_version: 1\n")
    import os

    r = run_build(
        "check",
        "--evidence",
        str(evidence),
        "--references",
        str(REFERENCES),
        env=dict(os.environ, GITHUB_ACTIONS="true"),
    )
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and all(ln.startswith(("::error file=", "::warning file=")) for ln in lines)
    assert not any(ln.startswith("::error file=a.py") for ln in lines)


# ---- anchors and the time budget ---------------------------------------------------------------


def _mini(folder: Path, study_id: str) -> Path:
    folder.mkdir(exist_ok=True)
    text = (FIXTURES / "evidence" / "mini-2020.yaml").read_text().replace("id: mini-2020", f"id: {study_id}")
    (folder / f"{study_id}.yaml").write_text(text)
    return folder / f"{study_id}.yaml"


def test_study_ids_that_share_a_pdf_anchor_are_refused_at_both_files(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    for study_id in ("ab-2020", "ab--2020", "cd-2020"):
        _mini(evidence, study_id)
    found = sorted((Path(p.path).name, p.line, p.code) for p in gather(evidence, REFERENCES).problems if p.is_error)
    assert found == [("ab--2020.yaml", 3, "anchor-clash"), ("ab-2020.yaml", 3, "anchor-clash")]
    outside = _mini(tmp_path / "elsewhere", "cd--2020")  # checked alone, against the folder
    alone = sorted((p.line, p.code) for p in gather(evidence, REFERENCES, [outside]).problems if p.is_error)
    assert alone == [(3, "anchor-clash")]


def test_anchor_helpers_match_the_render_side() -> None:
    from evsynth.core.anchors import citation_anchor, study_anchor
    from evsynth.render.print_document import page_anchor
    from evsynth.render.views import footnote_id

    for key in ("atk.2020", "atk-2020", "Atk_2020", "a b/c:d", "x--y", "é2020"):
        assert citation_anchor(key) == footnote_id(key).lower()
    for sid in ("ab-2020", "ab--2020", "ab-", "0", "a-b-c"):
        assert study_anchor(sid) == page_anchor(f"studies/{sid}/index.md")


def test_check_stops_with_a_clear_problem_when_over_its_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from evsynth.core import budget

    monkeypatch.setattr(budget, "CHECK_SECONDS", -1.0)
    inputs = gather(FIXTURES / "evidence", REFERENCES)
    slow = [p for p in inputs.problems if p.code == "too-slow"]
    assert [(Path(p.path).name, p.line) for p in slow] == [("mini-2020.yaml", 1)]
    assert "2 file(s)" in slow[0].message and inputs.validated.studies == []


def test_bibtex_string_macros_cannot_double_to_gigabytes(tmp_path: Path) -> None:
    """@string{m1 = m0 # m0} ... 30 times: an 837-byte file needed 16 GB in pybtex (red team)."""
    text = '@string{m0 = "xxxxxxxxxxxxxxxx"}' + "".join(f" @string{{m{i} = m{i - 1} # m{i - 1}}}" for i in range(1, 31))
    path = tmp_path / "bomb.bib"
    path.write_text(text + "\n@article{a2020, author = {A, B}, title = m30, journal = {J}, year = {2020}}\n")
    problems = _measure(lambda: load.load_bibliography(load.read_files([path])[0])[1])
    assert {p.code for p in problems} >= {"bib-macro"} and all(p.line >= 1 for p in problems)


def test_printed_percentages_of_huge_denominators_are_checked_in_constant_time(tmp_path: Path) -> None:
    """200 responses of `percent` over 1,000,000 evaluated took 32 s (a loop over every count)."""
    head = (FIXTURES / "evidence" / "mini-2020.yaml").read_text().split("responses:")[0]
    head = re.sub(r"patients: [0-9]+", "patients: 1000000", head)
    body = "responses:\n" + "".join(
        "  - source: {report: text}\n    kind: pain-relief\n    per: patients\n    evaluated: {n: 1000000}\n"
        "    responders: {percent: 50.5}\n"
        for _ in range(200)
    )
    (tmp_path / "mini-2020.yaml").write_text(head + body)
    inputs = _measure(lambda: gather(tmp_path, REFERENCES))
    assert not [p for p in inputs.problems if p.is_error]


def test_a_symlinked_evidence_folder_is_refused_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "config.yaml").write_text("password: hunter2-SECRET\napi_key: abc\n")
    (tmp_path / "evidence").symlink_to(secret, target_is_directory=True)
    r = run_build("check", "--evidence", str(tmp_path / "evidence"), "--references", str(REFERENCES))
    assert r.returncode == 1 and "[not-a-regular-file]" in r.stdout
    assert "password" not in r.stdout + r.stderr and "hunter2" not in r.stdout + r.stderr


def test_a_missing_field_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "bare-2020.yaml").write_text("schema_version: 1\nid: bare-2020\n")
    problems = gather(tmp_path, REFERENCES).problems
    missing = [p.message for p in problems if p.code == "missing-field"]
    assert missing and len(missing) == len(set(missing))


def test_studies_citing_the_seed_tables_source_in_odd_shapes_still_build(tmp_path: Path) -> None:
    """Chiras 2004's tables are regenerated from any study citing it: odd shapes crashed the build."""
    (tmp_path / "ev").mkdir()
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "c.bib").write_text(
        "@article{chiras2004, author = {Chiras, J.}, title = {T}, journal = {J}, year = {2004}}\n"
    )
    head = (
        "schema_version: 1\nid: {id}\ncitation: chiras2004\nreports:\n  text: {{citation: chiras2004, "
        'kind: secondary-table}}\nextraction: {{status: complete, by: tests, date: "2026-01-01"}}\ndesign:\n'
        "  source: {{report: text}}\n  type: case-series\nintervention:\n  source: {{report: text}}\n"
        "  category: TAE\n"
    )
    shapes = {
        "odd-2001": "patients_table:\n  source: {report: text}\n  rows:\n    - {no: 1}\n"
        "population:\n  - source: {report: text, where: Table 2}\n    primaries: [{primary: kidney}]\n",
        "odd-2002": "population:\n  - source: {report: text, where: Table 3}\n    palliative: 1\n",
    }
    for sid, tail in shapes.items():
        (tmp_path / "ev" / f"{sid}.yaml").write_text(head.format(id=sid) + tail)
    r = run_build(
        "site",
        "--no-pdf",
        "--evidence",
        str(tmp_path / "ev"),
        "--references",
        str(tmp_path / "refs"),
        "--out",
        str(tmp_path / "site"),
        "--work",
        str(tmp_path / "work"),
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_build_date_outside_gzip_timestamps_is_clamped() -> None:
    from evsynth.publish.site import source_date_epoch

    assert source_date_epoch("1969-12-31") == 0 and source_date_epoch("2200-01-01") == 2**32 - 1
    assert source_date_epoch("2004-07-01") == 1088640000
