"""Each mistake an editor makes with a percentage gets its own message: file, line, column, code and
the fix that is right for that mistake (never "put it under `percent:`" when it is already there).
A percentage entered as a proportion or as the count is the editor's error, not a finding "in the
source": it never reaches the data-quality report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REFERENCES

from evsynth import pipeline

MINI = (FIXTURES / "evidence" / "mini-2020.yaml").read_text(encoding="utf-8")
LINE = "    responders: {n: 6, of: 8, percent: 75}"


def _check(tmp_path: Path, responders: str) -> tuple[list[object], int, str]:
    assert LINE in MINI
    text = MINI.replace(LINE, responders)
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "mini-2020.yaml").write_text(text, encoding="utf-8")
    checked = pipeline.check(folder, REFERENCES)
    line = text.splitlines().index(responders) + 1
    return list(checked.problems), line, responders


CASES = [
    # (responders as written, field whose column is reported, code, the fix the message gives)
    ('    responders: {n: 6, of: 8, percent: "75%"}', 'percent: "75%"', "wrong-type",
     "write the number without the % sign (`percent: 75`)"),
    ('    responders: {n: "75%", of: 8}', 'n: "75%"', "wrong-type",
     "write the count here and put a percentage under `percent:`"),
    ("    responders: {n: 6, of: 8, percent: 0.75}", "percent: 0.75", "percent-entry",
     "`percent` is 0.75, a proportion: write percentages out of 100 (`percent: 75`)"),
    ("    responders: {n: 75, of: 8}", "n: 75", "subset-exceeds-total",
     "if it is a percentage, put it under `percent:`"),
    ("    responders: {n: 75, of: 8, percent: 75}", "n: 75", "subset-exceeds-total",
     "it is the printed percentage, already under `percent:`: write the count of patients in `n`"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "field", "code", "fix"), CASES)
def test_each_percentage_mistake_gets_its_own_fix(
    tmp_path: Path, written: str, field: str, code: str, fix: str
) -> None:
    problems, line, text = _check(tmp_path, written)
    errors = [p for p in problems if getattr(p, "is_error", False)]
    assert len(errors) == 1, errors
    p = errors[0]
    key_column = text.index(field) + 1
    value_column = key_column + len(field.split(":")[0]) + 2
    assert (Path(p.path).name, p.line, p.code) == ("mini-2020.yaml", line, code)  # type: ignore[attr-defined]
    assert p.column in (key_column, value_column)  # type: ignore[attr-defined]
    assert fix in p.message  # type: ignore[attr-defined]
    if code == "wrong-type" and "%" in field and field.startswith("percent"):
        assert "put a percentage under `percent:`" not in p.message  # type: ignore[attr-defined]


def test_a_count_written_as_the_percentage_is_an_error_with_the_count_to_write(tmp_path: Path) -> None:
    # 50 of 80 with 50% printed: n is the percentage (the count would be 40)
    text = MINI.replace("    evaluated: {n: 8, of: 10}", "    evaluated: {n: 80, of: 100}")
    text = text.replace(LINE, "    responders: {n: 50, of: 80, percent: 50}")
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "mini-2020.yaml").write_text(text, encoding="utf-8")
    checked = pipeline.check(folder, REFERENCES)
    entry = [p for p in checked.problems if p.code == "percent-entry"]
    assert len(entry) == 1 and "50% of 80 is about 40" in entry[0].message
    assert entry[0].line == text.splitlines().index("    responders: {n: 50, of: 80, percent: 50}") + 1


def test_entry_mistakes_never_reach_the_data_quality_report(tmp_path: Path) -> None:
    from evsynth.validate.percents import entry_mistake

    problems, _, _ = _check(tmp_path, "    responders: {n: 6, of: 8, percent: 0.75}")
    assert not [p for p in problems if getattr(p, "code", "") in ("percent-mismatch", "percent-impossible")]
    assert entry_mistake(None, _value(0.5), _value(200)) is None  # 0.5% of 200 is 1 patient: a real percentage
    assert entry_mistake(_value(40), _value(50), _value(80)) is None  # a count that happens to fit


def _value(x: float) -> Any:
    from evsynth.core.values import Value

    return Value(x, None, 1, 1, ("x",))  # type: ignore[arg-type]
