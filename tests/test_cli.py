"""The command line as an editor and CI use it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from conftest import FIXTURES, REFERENCES, ROOT, run_build

from evsynth.core.schema import schema_json, study_schema

FIX = ["--evidence", str(FIXTURES / "evidence"), "--references", str(REFERENCES)]


def test_check_clean_fixture_set_exits_0() -> None:
    r = run_build("check", *FIX)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked 2 studies: 0 error(s)" in r.stderr


def test_check_repository_evidence_has_no_errors() -> None:
    r = run_build("check", "--errors-only")
    assert r.returncode == 0, r.stdout
    assert r.stdout == ""


def test_check_broken_file_prints_file_line_col_code_and_exits_1() -> None:
    target = FIXTURES / "broken" / "unknown-field.yaml"
    r = run_build("check", *FIX, "--errors-only", str(target))
    assert r.returncode == 1
    rel = os.path.relpath(target, ROOT)
    assert re.fullmatch(
        re.escape(rel) + r":14:5: \[unknown-field\] unknown field `pateints` in "
        r"population\[0\]: did you mean `patients`\?\n",
        r.stdout,
    )
    assert "Traceback" not in r.stderr


def test_check_reports_every_broken_file_in_one_run() -> None:
    files = sorted((FIXTURES / "broken").glob("*.yaml"))
    r = run_build("check", *FIX, "--errors-only", *map(str, files))
    assert r.returncode == 1
    reported = {line.split(":", 1)[0] for line in r.stdout.splitlines()}
    assert len(reported) == len(files)
    assert "Traceback" not in r.stdout + r.stderr


def test_github_annotations_when_running_in_actions() -> None:
    env = dict(os.environ, GITHUB_ACTIONS="true")
    r = run_build("check", *FIX, str(FIXTURES / "broken" / "wrong-type.yaml"), env=env)
    assert r.returncode == 1
    assert r.stdout.startswith("::error file=")
    assert ",line=14,col=15,title=wrong-type::" in r.stdout


def test_warnings_do_not_fail_and_can_be_hidden() -> None:
    target = str(FIXTURES / "warnings" / "percent-mismatch.yaml")
    r = run_build("check", *FIX, target)
    assert r.returncode == 0 and "[warning percent-mismatch]" in r.stdout
    r = run_build("check", *FIX, "--errors-only", target)
    assert r.returncode == 0 and r.stdout == ""


def test_missing_file_argument_is_a_clear_error() -> None:
    r = run_build("check", *FIX, "no/such/file.yaml")
    assert r.returncode == 1
    assert "[unreadable] cannot read the file" in r.stdout
    assert "Traceback" not in r.stderr


def test_missing_evidence_folder_checks_nothing_but_says_so(tmp_path: Path) -> None:
    r = run_build("check", "--evidence", str(tmp_path / "none"), "--references", str(REFERENCES))
    assert r.returncode == 0 and "checked 0 studies" in r.stderr


def test_every_command_documents_itself() -> None:
    for cmd in ("check", "site", "serve", "schema", "pdf", "meta"):
        r = run_build(cmd, "--help")
        assert r.returncode == 0
        assert "--evidence DIR" in r.stdout and "--references DIR" in r.stdout, cmd


def test_published_schema_is_up_to_date() -> None:
    committed = (ROOT / "evidence" / "study.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(), "run `python build.py schema` and commit the result"


def _properties(node: object, path: str = "") -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = []
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            out.append((f"{path}.{key}", sub))
            out += _properties(sub, f"{path}.{key}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                out += _properties(node[key], path + "[]")
        for name, sub in (node.get("$defs") or {}).items():
            out += _properties(sub, f"$defs.{name}")
    return out


def test_every_schema_field_is_described() -> None:
    from evsynth.render.fielddoc import field_docs

    assert [d.path for d in field_docs() if not d.description] == []
    undocumented = [
        p
        for p, sub in _properties(study_schema())
        if not sub.get("description")
        and "$ref" not in sub
        and not p.startswith("$defs.time_point")
        and not p.endswith((".min", ".max", ".value"))
    ]
    assert undocumented == []


def test_every_study_file_points_editors_at_the_schema() -> None:
    for f in (ROOT / "evidence").glob("*.yaml"):
        assert f.read_text().startswith("# yaml-language-server: $schema=study.schema.json"), f.name
    json.loads((ROOT / "evidence" / "study.schema.json").read_text())
