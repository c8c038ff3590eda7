"""The command line as an editor and CI use it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from conftest import EVIDENCE, FIXTURES, REAL, REFERENCES, ROOT, run_build

from evsynth.core.schema import schema_json, study_schema

FIX = ["--evidence", str(FIXTURES / "evidence"), "--references", str(REFERENCES)]


def test_check_clean_fixture_set_exits_0() -> None:
    r = run_build("check", *FIX)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked 2 studies: 0 error(s)" in r.stderr


def test_check_repository_evidence_has_no_errors() -> None:
    r = run_build("check", *REAL, "--errors-only")
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
    for f in EVIDENCE.glob("*.yaml"):
        assert f.read_text().startswith("# yaml-language-server: $schema=study.schema.json"), f.name
    json.loads((ROOT / "evidence" / "study.schema.json").read_text())


VAS_POST = "study,mean,sd,n\nahn,3.1,1.9,40\nberg,4.0,2.2,25\ncosta,2.6,1.5,60\ndunn,3.8,2.4,18\neze,2.2,1.7,33\n"
VAS_CHANGE = (
    "study,mean_pre,sd_pre,mean_post,sd_post,n,r\n"
    "fabre,8.1,1.3,4.6,2.8,22,\ngupta,7.0,1.6,3.3,2.1,48,0.38\nhale,7.9,1.5,5.2,3.0,15,\n"
    "ito,6.5,1.9,2.9,1.8,71,0.61\njonas,7.4,1.7,4.1,2.5,29,\n"
)


def _reference(dataset: str, assumed_r: str = "NA") -> dict[str, str]:
    import csv

    with open(FIXTURES / "metafor" / "reference_continuous.csv") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return next(
            r
            for r in rows
            if (r["dataset"], r["assumed_r"], r["tau2_method"], r["ci_method"]) == (dataset, assumed_r, "reml", "hksj")
        )


def test_meta_mn_json_has_the_fields_of_plo_and_agrees_with_metafor(tmp_path: Path) -> None:
    f = tmp_path / "mn.csv"
    f.write_text(VAS_POST)
    r = run_build("meta", str(f), "--measure", "MN", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"measure", "k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q", "studies"} <= set(
        out
    )
    ref = _reference("vas-post")
    assert out["measure"] == "MN" and out["k"] == 5
    for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q"):
        assert abs(out[key] - float(ref[key])) < 1e-6, key
    first = out["studies"][0]
    assert {k: first[k] for k in ("study", "mean", "sd", "n", "estimate")} == {
        "study": "ahn", "mean": 3.1, "sd": 1.9, "n": 40, "estimate": 3.1,
    }  # fmt: skip
    assert first["variance"] == 1.9**2 / 40 and first["ci_low"] < 3.1 < first["ci_high"]


def test_meta_mc_says_when_r_is_assumed_and_shows_the_sensitivity(tmp_path: Path) -> None:
    f = tmp_path / "mc.csv"
    f.write_text(VAS_CHANGE)
    text = run_build("meta", str(f), "--measure", "MC")
    assert text.returncode == 0, text.stderr
    assert "r not reported: 0.5 assumed" in text.stdout and "3 of 5 studies" in text.stdout
    assert "with r = 0.2 where not reported" in text.stdout and "with r = 0.8 where not reported" in text.stdout
    out = json.loads(run_build("meta", str(f), "--measure", "MC", "--json", "--tau2", "dl", "--ci", "wald").stdout)
    assert out["measure"] == "MC" and out["assumed_r"] == 0.5
    assert [s["r"] for s in out["sensitivity"]] == [0.2, 0.5, 0.8]
    assert out["sensitivity"][1]["estimate"] == out["estimate"]
    ref = _reference("change-missing-r", "0.8")
    assert abs(out["sensitivity"][2]["estimate"] - float(ref["estimate"])) < 1e-6  # DL and REML agree: tau² = 0
    assert out["studies"][0]["estimate"] == 8.1 - 4.6 and out["studies"][0]["r"] is None


def test_meta_plo_json_names_its_measure(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("study,events,total\na,12,40\nb,30,61\n")
    assert json.loads(run_build("meta", str(f), "--json").stdout)["measure"] == "PLO"


def test_meta_continuous_bad_rows_name_file_line_and_fix(tmp_path: Path) -> None:
    from evsynth.tools.meta import run_meta

    f = tmp_path / "bad.csv"
    f.write_text("study,mean,sd,n\na,3.1,1.9,40\nb,x,2,9\nc,3,-1,10\nd,3,2,1\ne,nan,2,10\nf,3,2,4.5\n")
    out, problems = run_meta(f, "reml", "hksj", False, "MN")
    assert out == ""
    assert [(p.line, p.column, p.code) for p in problems] == [
        (3, 2, "wrong-type"), (4, 3, "out-of-range"), (5, 4, "out-of-range"), (6, 2, "non-finite-number"),
        (7, 4, "wrong-type"),
    ]  # fmt: skip
    assert "not an SE or a variance" in problems[1].message and "at least 2 patients" in problems[2].message
    f.write_text("study,mean_pre,sd_pre,mean_post,sd_post,n,r\na,7,2,3,2,20,1.2\nb,7,2,3,2,20,1\nc,7,2,3,2,20,\n")
    _, problems = run_meta(f, "reml", "hksj", False, "MC")
    assert [(p.line, p.code) for p in problems] == [(2, "out-of-range"), (3, "out-of-range")]
    assert "leave it empty: 0.5 is assumed" in problems[0].message
    _, problems = run_meta(f, "reml", "hksj", False, "MN")
    assert problems[0].code == "missing-field" and "--measure MN" in problems[0].message
    assert "fit --measure MC" in problems[0].message


def test_meta_continuous_bad_file_exits_1_without_a_traceback(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("study,mean,sd,n\na,1e300,1e200,10\nb,3,2,10\n")
    r = run_build("meta", str(f), "--measure", "MN")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert f"{f.name}:2:2: [out-of-range]" in r.stdout


def test_check_of_a_named_file_says_what_is_pooled_and_why_not(tmp_path: Path) -> None:
    """The kind and unit an editor chooses decide pooling: `check FILE` says so for each response."""
    mini = (FIXTURES / "evidence" / "mini-2020.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "evidence"
    folder.mkdir()
    target = folder / "mini-2020.yaml"
    target.write_text(mini, encoding="utf-8")
    r = run_build("check", "--evidence", str(folder), "--references", str(REFERENCES), str(target))
    line = mini.splitlines().index("    kind: pain-relief") + 1 - 1  # the response starts at its first key
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(rf"mini-2020\.yaml:{line}: note: pain-relief response: pooled \(", r.stdout), r.stdout
    target.write_text(
        mini.replace("    kind: pain-relief\n    per: patients", "    kind: neurological\n    per: patients")
    )
    r = run_build("check", "--evidence", str(folder), "--references", str(REFERENCES), str(target))
    assert "neurological response: shown on the study page, not pooled: only pain-relief" in r.stdout
    target.write_text(mini.replace("    per: patients\n    evaluated", "    per: vertebrae\n    evaluated"))
    r = run_build("check", "--evidence", str(folder), "--references", str(REFERENCES), str(target))
    assert "pain-relief response: shown, not pooled: it counts vertebrae, not patients" in r.stdout
    r = run_build("check", "--evidence", str(folder), "--references", str(REFERENCES))
    assert "note:" not in r.stdout  # only for files named on the command line


def test_check_of_a_named_file_shows_its_own_warnings_not_the_others() -> None:
    """An editor checking their file sees every error but only their file's (and references')
    warnings: another entry's incomplete citation does not bury them."""
    everything = run_build("check", *FIX)
    assert "incomplete-citation] entry `partial1999`" in everything.stdout
    mine = run_build("check", *FIX, str(FIXTURES / "evidence" / "mini-2020.yaml"))
    assert mine.returncode == 0 and "partial1999" not in mine.stdout
    assert "checked 1 study: 0 error(s), 0 data-quality warning(s)" in mine.stderr
