"""The real evidence base: counts, spot checks against the sources, and the contradictions found."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import ROOT

from evsynth.core.model import Study, Value
from evsynth.core.records import TimePoint
from evsynth.pipeline import Checked as Inputs
from evsynth.pipeline import gather
from evsynth.validate.discrepancy import Discrepancy

SOURCES = ROOT.parent / "shared" / "sources"
STUDIES = [
    "barton-1996",
    "braedel-1984",
    "chiras-1996",
    "chiras-2004",
    "chuang-1979",
    "courtheoux-1985",
    "farrokhi-2012",
    "feldman-1975",
    "he-2011",
    "kato-1981",
    "kuether-1996",
    "oreilly-1989",
    "soo-1982",
    "tian-2017",
    "treves-1984",
    "varma-1984",
    "wallace-1979",
]


@lru_cache(maxsize=1)
def inputs() -> Inputs:
    return gather(ROOT / "evidence", ROOT / "references")


def study(sid: str) -> Study:
    return next(s for s in inputs().validated.studies if s.id == sid)


def disc(sid: str, code: str, what: str) -> Discrepancy:
    found = [d for d in inputs().validated.discrepancies if d.study == sid and d.code == code and what in d.what]
    assert len(found) == 1, [d.message for d in inputs().validated.discrepancies if d.study == sid]
    return found[0]


def shown(d: Discrepancy) -> set[tuple[str, str]]:
    return {(text.split(" ")[0], where) for text, _, where in d.values}


def test_every_study_is_extracted_and_valid() -> None:
    assert [p for p in inputs().problems if p.is_error] == []
    assert [s.id for s in inputs().validated.studies] == STUDIES


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


@pytest.mark.skipif(not SOURCES.exists(), reason="shared/sources not beside the checkout")
def test_chiras_table_1_rows_match_the_source_text() -> None:
    source = (SOURCES / "chiras-2004-eur-radiol.txt").read_text()
    printed = {
        int(m.group(1)): (m.group(2), int(m.group(3)), m.group(4))
        for m in re.finditer(
            r"^(\d+) ([MF]) (\d+) (.+)$",
            source.split("Table 1 Patient characteristics")[1].split("Table 2 Distribution")[0],
            re.M,
        )
    }
    table = study("chiras-2004").patients_table
    assert table is not None
    for row in table.rows:
        sex, age, rest = printed[row.no]
        assert (row.sex, row.age) == (sex, age)
        assert rest.endswith((row.location or "").replace("–", "–")), (row.no, rest)
    assert len(table.rows) == len(printed) == 25


@pytest.mark.skipif(not SOURCES.exists(), reason="shared/sources not beside the checkout")
def test_table_3_rows_match_the_source_text() -> None:
    source = (SOURCES / "chiras-2004-eur-radiol.txt").read_text()
    rows = {
        "feldman-1975": (2, 1),
        "chuang-1979": (9, 6),
        "wallace-1979": (9, 9),
        "soo-1982": (15, 15),
        "braedel-1984": (4, 2),
        "treves-1984": (4, 4),
        "varma-1984": (5, 5),
        "oreilly-1989": (4, 4),
        "barton-1996": (51, 29),
        "chiras-1996": (53, 22),
    }
    for sid, (total, palliative) in rows.items():
        s = study(sid)
        t3 = next(r for r in s.population if r.source.report.id == "table3")
        assert t3.patients is not None and t3.palliative is not None
        assert (t3.patients.value, t3.palliative.value) == (total, palliative)
        name = s.label.split(" ")[0].replace("'", "’")
        assert re.search(rf"^{name} \[\d+\] {s.label.split(' ')[1]} {total} {palliative}\b", source, re.M), sid


def test_ambiguous_table_3_durations_say_why() -> None:
    for sid in ("braedel-1984", "treves-1984", "varma-1984", "oreilly-1989", "chiras-1996", "wallace-1979"):
        durations = study(sid).durations
        assert len(durations) == 1 and "column alignment" in (durations[0].ambiguous or ""), sid


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


def test_no_value_lacks_a_report() -> None:
    for s in inputs().validated.studies:
        for v in s.values():
            assert isinstance(v, Value) and v.source.report.id in s.reports
            assert v.locator.startswith(v.source.report.citation_label)


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
    assert {
        "wallace1979",
        "braedel1984",
        "treves1984",
        "varma1984",
        "chiras1996",
        "courtheoux1985",
        "kato1981",
        "chiras2004",
    } <= incomplete


def test_references_hold_tian_reference_list_studies_and_sources() -> None:
    text = (ROOT / "references" / "references.bib").read_text()
    tian_refs = re.findall(r"x-source = \{Tian 2017, reference (\d+)", text)
    assert sorted(map(int, tian_refs)) == list(range(1, 27))
    keys = set(re.findall(r"^@\w+\{([^,]+),", text, re.M))
    cited = {r.citation for s in inputs().validated.studies for r in s.reports.values()}
    cited |= {s.citation for s in inputs().validated.studies}
    assert cited <= keys and {"chiras2004", "tian2017"} <= keys


@pytest.mark.skipif(not SOURCES.exists(), reason="shared/sources not beside the checkout")
def test_dois_and_pmids_are_those_the_sources_state() -> None:
    facts = (SOURCES / "abstract-facts.md").read_text() + (SOURCES / "tian-2017-iran-j-radiol.txt").read_text()
    text = (ROOT / "references" / "references.bib").read_text()
    for doi in re.findall(r"doi = \{([^}]+)\}", text):
        assert doi.lower() in facts.lower(), doi
    for pmid in re.findall(r"pmid = \{([^}]+)\}", text):
        assert pmid in facts, pmid


def test_study_files_are_named_by_id() -> None:
    for f in Path(ROOT / "evidence").glob("*.yaml"):
        assert f"\nid: {f.stem}\n" in f.read_text()
