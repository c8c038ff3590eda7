"""Exact expectations on the seed fixture (tests/fixtures/seed): six studies as first read from the seed
papers, frozen so that what the pipeline makes of them (numbers, the contradictions the sources contain,
the grouped views) is pinned while editors add and correct the real evidence freely."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pytest
from conftest import SEED

from evsynth import pipeline
from evsynth.core.model import Study
from evsynth.core.records import TimePoint
from evsynth.pipeline import Checked as Inputs
from evsynth.pipeline import gather
from evsynth.synthesis.synthesize import Synthesis
from evsynth.validate.discrepancy import Discrepancy


@lru_cache(maxsize=1)
def inputs() -> Inputs:
    return gather(SEED / "evidence", SEED / "references")


@lru_cache(maxsize=1)
def synthesis() -> Synthesis:
    return pipeline.synthesis(inputs())


def study(sid: str) -> Study:
    return next(s for s in inputs().validated.studies if s.id == sid)


def disc(sid: str, code: str, what: str) -> Discrepancy:
    found = [d for d in inputs().validated.discrepancies if d.study == sid and d.code == code and what in d.what]
    assert len(found) == 1, [d.message for d in inputs().validated.discrepancies if d.study == sid]
    return found[0]


def shown(d: Discrepancy) -> set[tuple[str, str]]:
    return {(text.split(" ")[0], where) for text, _, where in d.values}


def test_the_seed_fixture_is_valid() -> None:
    assert [p for p in inputs().problems if p.is_error] == []
    assert [s.id for s in inputs().validated.studies] == [
        "barton-1996", "chiras-2004", "kuether-1996", "soo-1982", "tian-2017", "wallace-1979",
    ]  # fmt: skip


def test_chiras_2004_headline_numbers() -> None:
    s = study("chiras-2004")
    text = s.population[0]
    assert text.patients is not None and text.patients.value == 25 and text.source.report.kind == "full-text"
    pain = next(r for r in s.responses if r.kind == "pain-relief")
    assert pain.responders is not None and pain.evaluated is not None
    assert pain.responders.n is not None and pain.responders.of is not None and pain.evaluated.n is not None
    assert (pain.responders.n.value, pain.responders.of.value) == (15, 18)
    assert pain.evaluated.n.value == 18


def test_chiras_table_2_primaries_equal_table_1_rows() -> None:
    s = study("chiras-2004")
    assert s.patients_table is not None
    rows = Counter(r.primary for r in s.patients_table.rows)
    table2 = next(r for r in s.population if r.source.where == "Table 2")
    printed = {p.primary: p.n.value for p in table2.primaries if p.n is not None}
    assert printed == dict(rows)
    assert sum(printed.values()) == 25


def test_chiras_table_4_is_a_second_report_of_the_same_study() -> None:
    r = study("chiras-2004").reports["table4"]
    assert (r.citation, r.kind, r.where) == ("chiras2004", "secondary-table", "Table 4")
    assert "Chiras (1998)" in (r.note or "")


def test_an_ambiguous_table_3_duration_says_why() -> None:
    durations = study("wallace-1979").durations
    assert len(durations) == 1 and "column alignment" in (durations[0].ambiguous or "")


def test_tian_2017_series() -> None:
    s = study("tian-2017")
    relief = [
        (r.time_point.value, r.time_point.unit, r.responders.percent.value)
        for r in s.responses
        if r.kind == "pain-relief"
        and isinstance(r.time_point, TimePoint)
        and r.responders is not None
        and r.responders.percent is not None
    ]
    assert relief == [(1, "days", 94), (1, "weeks", 94), (1, "months", 89), (3, "months", 78)]
    vas = next(r for r in s.scores if r.scale == "VAS")
    assert [p.mean.value for p in vas.points if p.mean is not None] == [7.7, 5.3, 3.4, 2.0, 1.5]
    barthel = next(r for r in s.scores if "Barthel" in r.scale)
    assert [p.mean.value for p in barthel.points if p.mean is not None] == [45.3, 85.6]
    assert "survival" in s.not_reported


# The contradictions the sources contain, each found by the build with both values and sources.


def test_chiras_radiological_response_text_against_table_4() -> None:
    d = disc("chiras-2004", "reports-disagree", "radiological response")
    assert {x.split(" ")[0] for x, _, _ in d.values} == {"6", "5"}
    assert any("Table 4" in where for _, _, where in d.values)
    assert any("full text" in where for _, _, where in d.values)


def test_chiras_evaluable_percentage() -> None:
    found = [d.message for d in inputs().validated.discrepancies if d.code == "percent-mismatch"]
    assert "Chiras 2004: 65% printed for 16/25, which is 64%" in found
    assert "Chiras 2004: 30% printed for 5/16, which is 31.25%" in found


def test_chiras_age_range_text_against_table_1() -> None:
    d = disc("chiras-2004", "rows-disagree", "age min")
    assert shown(d) == {
        ("35", "Chiras 2004, full text (Abstract; Materials)"),
        ("30", "Chiras 2004, full text (Table 1), derived from the rows"),
    }


def test_chiras_number_of_procedures_text_against_table_4() -> None:
    d = disc("chiras-2004", "reports-disagree", "procedures: per patient max")
    assert {x for x, _ in shown(d)} == {"3", "7"}


def test_barton_survival_abstract_against_chiras_table_3() -> None:
    d = disc("barton-1996", "reports-disagree", "survival")
    assert "28 months (median) in Barton 1996, abstract" in d.message
    assert "17 months (mean) in Chiras 2004, Table 3" in d.message


def test_tian_vas_improvements_against_means() -> None:
    found = [d for d in inputs().validated.discrepancies if d.study == "tian-2017" and d.code == "change-mismatch"]
    assert [d.what for d in found] == ["VAS change at 1 month", "VAS change at 3 months"]
    assert "7.7 - 2.0 = 5.7" in found[0].message


def test_incomplete_citations_are_listed_by_check() -> None:
    incomplete = {p.message.split("`")[1] for p in inputs().problems if p.code == "incomplete-citation"}
    assert incomplete == {"chiras2004", "wallace1979"}


def test_regenerated_table_2_differs_where_the_discrepancy_report_says() -> None:
    syn = synthesis()
    table = syn.seed_tables["table2"]
    derived = {(r["primary"], col): r[col] for _, r in table.iterrows() for col in ("Spine", "Other")}
    differ = {key for key, printed in syn.printed_table2.items() if key in derived and derived[key] != printed}
    assert differ == {("kidney", "Spine"), ("kidney", "Other")}


# The grouped views and the group summary.


def test_grouped_views() -> None:
    syn = synthesis()
    assert [(s.id, n) for s, n in syn.primaries["kidney"]] == [("chiras-2004", 8), ("kuether-1996", 1)]
    assert [s.id for s in syn.agents["drug:pirarubicin"]] == ["chiras-2004"]
    assert [s.id for s in syn.agents["embolic:pva"]] == ["barton-1996", "chiras-2004", "kuether-1996", "soo-1982"]
    assert {k: [s.id for s in v] for k, v in syn.regions.items()} == {
        "sacrum-pelvis": ["chiras-2004"], "spine": ["chiras-2004", "kuether-1996", "tian-2017"],
    }  # fmt: skip
    assert [s.id for s in syn.decades["1970s"]] == ["wallace-1979"]
    assert list(syn.decades) == ["1970s", "1980s", "1990s", "2000s", "2010s"]


def test_relief_duration_range_names_the_studies_that_set_its_ends() -> None:
    tae = synthesis().groups.set_index("group").loc["tae"]
    assert tae["relief_from_months"] == pytest.approx(3 * 7 * 12 / 365.25)
    assert tae["relief_to_months"] == pytest.approx(66)
    assert tae["set_by"] == "Soo 1982, Wallace 1979"


def test_a_single_age_prints_as_the_number_alone() -> None:
    page = pipeline.build(inputs()).rendered.files["studies/kuether-1996/index.md"]
    row = next(line for line in page.splitlines() if line.startswith("| Age (years) |"))
    assert re.sub(r"<[^>]+>", "", row.split("|")[2]).strip() == "30", row  # not "value 30"
