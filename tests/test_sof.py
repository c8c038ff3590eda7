"""The summary of findings in GRADE's form: certainty rules read each row's own numbers, footnotes are
lettered once and speak only of their row, statements follow GRADE's wording, rows without data say
why, and the home page's decision table takes its certainty from the same rows."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from conftest import BIBLIOGRAPHY, EVIDENCE, FIXTURES, REFERENCES
from markupsafe import Markup

from evsynth import pipeline
from evsynth.render import sof
from evsynth.synthesis import grade
from evsynth.synthesis.grade import Body

CASE_SERIES = ("retrospective-case-series",)


@pytest.mark.parametrize(
    ("body", "level", "domains"),
    [
        # a large, precise, consistent, direct body of uncontrolled series: risk of bias only
        (Body(k=3, n=400, designs=CASE_SERIES * 3, ci=(0.6, 0.7), i2=10.0), 1, ["risk of bias"]),
        # randomised-like design codes are not in the uncontrolled list: starts low, stays low
        (Body(k=3, n=400, designs=("cohort",) * 3, ci=(0.6, 0.7), i2=10.0), 2, []),
        (Body(k=3, n=400, designs=("cohort",) * 3, ci=(0.6, 0.7), i2=75.0), 1, ["inconsistency"]),
        (Body(k=1, n=400, designs=("cohort",), ci=(0.6, 0.7), i2=None), 2, []),
        (Body(k=2, n=400, designs=("cohort",) * 2, ci=(0.6, 0.7), definitions=2), 1, ["indirectness"]),
        (Body(k=2, n=400, designs=("cohort",) * 2, indirect=("adults only",)), 1, ["indirectness"]),
        (Body(k=2, n=120, designs=("cohort",) * 2, ci=(0.6, 0.7)), 1, ["imprecision"]),
        (Body(k=2, n=400, designs=("cohort",) * 2, ci=(0.3, 0.8)), 1, ["imprecision"]),
        (Body(k=2, n=40, designs=("cohort",) * 2, ci=(0.3, 0.8)), 1, ["imprecision"]),
        (Body(k=4, n=400, designs=("cohort",) * 4, spread=(1.0, 12.0)), 1, ["inconsistency"]),
        (Body(k=4, n=400, designs=("cohort",) * 4, spread=(2.0, 5.0)), 2, []),
    ],
)
def test_certainty_follows_the_written_rules(body: Body, level: int, domains: list[str]) -> None:
    c = grade.rate(body)
    assert (c.level, [d.domain for d in c.downgrades]) == (level, domains)


def test_very_serious_imprecision_downgrades_two_levels() -> None:
    c = grade.rate(Body(k=1, n=18, designs=CASE_SERIES, ci=(0.59, 0.96)))
    assert [(d.domain, d.levels) for d in c.downgrades] == [("risk of bias", 1), ("imprecision", 2)]
    assert c.level == 1 and c.words == "very low"


def test_footnotes_use_the_rows_numbers() -> None:
    body = Body(k=4, n=123, designs=CASE_SERIES * 4, ci=(0.41, 0.77), i2=67.4)
    notes = {d.domain: str(sof.footnote(d, body)) for d in grade.rate(body).downgrades}
    assert "I² = 67% across 4 studies" in notes["inconsistency"]
    assert "123 patients" in notes["imprecision"] and "95% CI 41 to 77 per 100" in notes["imprecision"]


def _row(notes: list[str]) -> sof.Row:
    d = grade.Downgrade("imprecision", 1, "few-patients")
    return sof.Row("x", Markup(""), "", "", Markup(""), None, "", tuple((d, Markup(t)) for t in notes))


def test_footnotes_are_lettered_in_order_and_an_identical_text_keeps_its_letter() -> None:
    table = sof.letter([_row(["one", "two"]), _row(["two", "three"]), _row([])])
    assert table.letters == (("a", "b"), ("b", "c"), ())
    assert [letter for letter, _ in table.footnotes] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (1, "TAE may relieve pain, but the evidence is very uncertain."),
        (2, "TAE may relieve pain."),
        (3, "TAE probably can relieve pain."),
        (4, "TAE can relieve pain."),
    ],
)
def test_statements_follow_grades_wording(level: int, expected: str) -> None:
    statement, claim = sof._statement(grade.Certainty(level), "relieve pain", "TAE")
    assert statement == expected
    assert claim[0].isupper() and statement.endswith(claim[1:])


# --- on built pages: every footnote's numbers belong to its own row ---

NUMBER = re.compile(r"\d+(?:\.\d+)?")
LEVEL = re.compile(r"^[^:]*?, −\d: ")  # "Imprecision, −2: " names the rule, not the data


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def sof_tables(page: str) -> list[tuple[list[tuple[str, list[str]]], dict[str, str]]]:
    """(rows as (text, footnote letters), footnotes by letter) of each summary-of-findings table."""
    rows = []
    for tr in re.findall(r"<tr markdown=\"1\">(.*?)</tr>", page):
        letters = re.findall(r'<sup class="sof-note">([a-z,]+)</sup>', tr)
        rows.append((_text(tr), letters[0].split(",") if letters else []))
    found = re.findall(r'<li value="(\d+)" markdown="span">(.*?)</li>', page)
    notes = {"abcdefghijklmnopqrstuvwxyz"[int(i) - 1]: _text(t) for i, t in found}
    return [(rows, notes)] if rows else []


def _pages(evidence: Path, references: Path) -> dict[str, str]:
    checked = pipeline.check(evidence, references)
    assert not [p for p in checked.problems if p.severity == "error"]
    return pipeline.build(checked).rendered.pages


def _check_footnotes(pages: dict[str, str]) -> int:
    checked_notes = 0
    for path, page in pages.items():
        if not path.startswith("interventions/") or path == "interventions/index.md":
            continue
        for rows, notes in sof_tables(page):
            for text, letters in rows:
                row_numbers = set(NUMBER.findall(text))
                for letter in letters:
                    body = LEVEL.sub("", notes[letter])
                    stray = set(NUMBER.findall(body)) - row_numbers
                    assert not stray, f"{path}: footnote {letter} ({notes[letter]!r}) has {stray}, not in its row"
                    checked_notes += 1
    return checked_notes


def test_every_footnote_speaks_of_its_own_row_in_the_real_evidence() -> None:
    assert _check_footnotes(_pages(EVIDENCE, BIBLIOGRAPHY)) > 0


def test_every_footnote_speaks_of_its_own_row_with_pooled_rows(tmp_path: Path) -> None:
    from evsynth.tools.synthetic_evidence import synthesize_evidence

    synthesize_evidence(40, EVIDENCE, BIBLIOGRAPHY, tmp_path)
    pages = _pages(tmp_path / "evidence", tmp_path / "references")
    assert any("pooled, random effects" in p for p in pages.values())  # the set has pooled rows
    assert _check_footnotes(pages) > 0


def test_a_footnote_with_another_rows_numbers_is_caught() -> None:
    page = (
        '<tr markdown="1"><td>Pain</td><td>18 (1 study)</td><td><sup class="sof-note">a</sup></td></tr>\n'
        '<tr markdown="1"><td>Harms</td><td>25 (1 study)</td><td><sup class="sof-note">b</sup></td></tr>\n'
        '<li value="1" markdown="span">Imprecision, −2: 18 patients</li>\n'
        '<li value="2" markdown="span">Imprecision, −1: 18 patients</li>\n'
    )
    with pytest.raises(AssertionError, match="footnote b"):
        _check_footnotes({"interventions/x/index.md": page})


def test_rows_without_data_stay_and_say_why() -> None:
    pages = _pages(FIXTURES / "evidence", REFERENCES)
    page = next(p for path, p in pages.items() if path.startswith("interventions/") and "no studies" in p)
    assert "not pooled:" in page or "no study counts" in page or "not counted in patients" in page
    assert '<table class="sof cards"' in page


def test_the_decision_table_takes_certainty_from_the_summary_of_findings() -> None:
    pages = _pages(EVIDENCE, BIBLIOGRAPHY)
    home = pages["index.md"]
    rows = re.findall(r"<tr markdown=\"1\">(.*?)</tr>", home)
    assert rows, "the decision table has a row per intervention"
    for row in rows:
        group = re.search(r"interventions/([a-z-]+)/index\.md", row).group(1)  # type: ignore[union-attr]
        sof_page = pages[f"interventions/{group}/index.md"]
        symbols = re.search(r'<span class="grade" aria-hidden="true">(.*?)</span>', row)
        assert symbols and symbols.group(1) in sof_page


def test_methods_states_the_rules_the_code_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    from evsynth.render import methods

    text = str(methods.certainty())
    assert f"fewer than {grade.OPTIMAL_INFORMATION_SIZE} patients" in text
    assert f"I² above {grade.INCONSISTENT_I2:g}%" in text and "starts at **low**" in text
    monkeypatch.setattr(grade, "OPTIMAL_INFORMATION_SIZE", 400)
    assert "fewer than 400 patients" in str(methods.certainty())


def test_a_row_whose_patients_are_not_reported_never_says_zero_patients() -> None:
    from evsynth.synthesis.grade import Downgrade

    unknown, known = Body(k=1, n=0, designs=CASE_SERIES), Body(k=1, n=39, designs=CASE_SERIES)
    d = Downgrade("imprecision", 1, "few-patients")
    assert "not reported" in sof.footnote(d, unknown) and "0 patients" not in sof.footnote(d, unknown)
    assert "39 patients, below the optimal information size" in sof.footnote(d, known)
