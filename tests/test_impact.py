"""Each finding's effect on the synthesis (`synthesis.impact`): exact on fixtures, invariants on the
real evidence, and the data-quality page that ranks and links them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, REFERENCES, ROOT

from evsynth import pipeline
from evsynth.core.problems import INFORMATION_CODES
from evsynth.render.quality_view import finding_rows
from evsynth.synthesis.impact import SEVERITIES, Impact
from evsynth.synthesis.synthesize import Synthesis

WARNINGS = FIXTURES / "warnings"


def impacts_of(name: str) -> list[Impact]:
    path = WARNINGS / f"{name}.yaml"
    syn = pipeline.synthesis(pipeline.check(WARNINGS, REFERENCES, [path]))
    return [i for i in syn.impacts if i.finding.path.endswith(path.name)]


def test_a_mismatch_in_a_pooled_response_names_the_count_used() -> None:
    (i,) = impacts_of("percent-mismatch")
    assert i.severity == "pooled"
    assert i.used is not None and i.used[0] == "6/8"
    assert i.uses == ("pain relief, time not stated",)
    assert "counts are pooled" in i.why
    assert i.group == "tae"


def test_truncation_is_information_and_changes_nothing() -> None:
    (i,) = impacts_of("percent-truncated")
    assert (i.severity, i.used, i.group) == ("none", None, None)


def test_a_descriptive_field_changes_no_pooled_number() -> None:
    (i,) = impacts_of("reports-disagree")  # the population's patient count: shown, never pooled
    assert (i.severity, i.used, i.group) == ("descriptive", None, None)


def test_the_relief_duration_used_for_the_range_is_the_most_direct_report() -> None:
    found = {i.finding.what: i for i in impacts_of("duration-unit")}
    relief = found["pain relief duration: max"]
    assert relief.severity == "pooled" and relief.uses == ("pain relief duration range",)
    assert relief.used is not None and relief.used[1].source.report.kind == "full-text"
    assert found["survival duration: median"].severity == "descriptive"


def test_the_pooled_value_is_shown_with_either_printed_count() -> None:
    (i,) = impacts_of("responders-disagree")
    assert i.severity == "pooled" and i.sensitivity is not None and i.sensitivity.changes
    assert (i.sensitivity.used.estimate, i.sensitivity.used.k) == (0.75, 1)
    assert i.sensitivity.other is not None and i.sensitivity.other.estimate == 0.5
    assert "Other 2021, Table 1" in i.sensitivity.other_source
    assert not impacts_of("responders-agree")  # near miss: the same count twice is no finding


def test_a_finding_whose_other_reading_gives_the_same_number_is_descriptive() -> None:
    paths = [WARNINGS / "relief-disagree.yaml", WARNINGS / "relief-wide.yaml"]
    syn = pipeline.synthesis(pipeline.check(WARNINGS, REFERENCES, paths))
    (i,) = syn.impacts
    assert i.severity == "descriptive" and i.sensitivity is not None and not i.sensitivity.changes
    assert (i.sensitivity.used.low, i.sensitivity.used.high, i.sensitivity.used.k) == (1, 40, 2)
    assert "the other reading gives the same pain relief duration range" in i.why
    alone = impacts_of("relief-disagree")  # without the wider study the range moves: 2-9 or 2-6 months
    assert alone[0].severity == "pooled" and alone[0].sensitivity is not None
    assert alone[0].sensitivity.other is not None and alone[0].sensitivity.other.high == 6


def test_a_change_against_pooled_means_uses_the_means() -> None:
    (i,) = impacts_of("change-mismatch")
    assert i.severity == "descriptive"  # no SDs printed: the score is listed, never pooled


@pytest.fixture(scope="module")
def real() -> Synthesis:
    return pipeline.synthesis(pipeline.check(ROOT / "evidence", ROOT / "references"))


def test_every_real_finding_has_an_impact_ranked_by_severity(real: Synthesis) -> None:
    assert [i.finding for i in real.impacts] != [] or not real.discrepancies
    assert sorted(map(id, (i.finding for i in real.impacts))) == sorted(map(id, real.discrepancies))
    ranks = [i.rank for i in real.impacts]
    assert ranks == sorted(ranks)
    for i in real.impacts:
        assert i.severity in SEVERITIES and i.why
        assert all(where for _, _, where in i.finding.values)  # every value carries its provenance
        if i.finding.code in INFORMATION_CODES:
            assert i.severity == "none"
        if i.severity == "pooled":
            assert i.used is not None and i.used in i.finding.values and i.uses and i.group
        elif i.sensitivity is None:
            assert i.used is None and not i.uses
        else:  # a pooled input whose other reading gives the same number
            assert i.used is not None and not i.sensitivity.changes


def test_the_page_names_studies_and_links_the_pages_a_finding_touches(real: Synthesis) -> None:
    groups = {g: g.upper() for g in {s.group for s in real.studies}}
    labels = {s.id: s.label for s in real.studies}
    for row, i in zip(finding_rows(real.impacts, real.studies, groups), real.impacts, strict=True):
        assert row.study == labels[i.finding.study]
        assert row.pages[0].path == f"studies/{i.finding.study}/index.md"
        assert row.pages[0].title == labels[i.finding.study]
        assert (len(row.pages) == 2) == bool(i.uses)


def test_the_intervention_page_shows_the_pooled_value_with_either_count(tmp_path: Path) -> None:
    """The fixture's 6/8 (text) and 4/8 (table): the TAE page gives the pooled value with each."""
    from conftest import run_build

    r = run_build("site", "--no-pdf", "--evidence", str(WARNINGS), "--references", str(REFERENCES),
                  "--out", str(tmp_path / "site"), "--work", str(tmp_path / "work"))  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    page = (tmp_path / "site" / "interventions" / "tae" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "Sensitivity to contradictions in the sources" in text
    number = r"\d+% \(95% CI \d+ to \d+; k = \d+\)"
    used = rf"Mini 2020: pain relief, time not stated: {number} with the reading used; "
    assert re.search(used + rf"{number} with Other 2021, Table 1 instead", text)
