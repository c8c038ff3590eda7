"""The literature search log (evidence/search/): one broken fixture per check, the PRISMA counts on a
fixture log with known numbers (golden) and as a property, the page with its figure, the footer.

Tests on the real log assert invariants only: other people add searches, records and studies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, REFERENCES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from evsynth import pipeline
from evsynth.core.problems import Problem
from evsynth.core.searchlog import (
    DECISIONS,
    EXCLUSION_REASONS,
    INCLUDED,
    INTERVENTION_GROUPS,
    LogRecord,
    Search,
    SearchLog,
)
from evsynth.load import files as load
from evsynth.load.searchlog import load_search_log, repeat_count, study_ids
from evsynth.publish.site import mkdocs_config
from evsynth.synthesis.prisma import Route, flow
from evsynth.validate.searchlog import validate_log

LOGS = FIXTURES / "searchlog"
BROKEN_LOGS = sorted(p for p in (LOGS / "broken").iterdir() if p.is_dir())
PROTOCOL = ROOT / "evidence" / "search" / "protocol.md"


def checked_log(folder: Path) -> tuple[SearchLog | None, list[Problem]]:
    raw = load_search_log(folder)
    assert raw is not None
    return validate_log(raw, study_ids(load.study_paths(folder)))


def expected_log(folder: Path) -> set[tuple[str, int, str]]:
    """`FILE LINE CODE` lines of a broken log's expect.txt."""
    lines = (folder / "expect.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    return {(name, int(line), code) for name, line, code in rows}


def log_fixture_codes() -> set[str]:
    return {code for folder in BROKEN_LOGS for _, _, code in expected_log(folder)}


@pytest.mark.parametrize("folder", BROKEN_LOGS, ids=lambda p: p.name)
def test_broken_log_reports_its_problem(folder: Path) -> None:
    _, problems = checked_log(folder)
    assert {(Path(p.path).name, p.line, p.code) for p in problems} == expected_log(folder)
    for p in problems:
        assert p.is_error and p.column >= 1 and ": " in p.message  # the message says what to do


def test_the_budgets_refuse_a_huge_log(tmp_path: Path) -> None:
    from evsynth.core.limits import LOG_ROWS
    from evsynth.load.searchlog import parse_table

    rows = "search_id,date,source,query,records\n" + "S1,2026-01-01,a,b,1\n" * (LOG_ROWS + 1)
    assert [(p.line, p.code) for p in parse_table("searches.csv", rows)[1]] == [(LOG_ROWS + 2, "too-many-items")]
    shutil.copytree(LOGS / "valid" / "search", tmp_path / "search")
    (tmp_path / "search" / "records.csv").write_bytes(b"x" * 1_000_001)
    _, problems = checked_log(tmp_path)
    assert [(p.code, "search-log file" in p.message) for p in problems] == [("file-too-large", True)]


def test_golden_counts_of_the_valid_fixture_log() -> None:
    """The numbers worked out by hand in tests/fixtures/searchlog/valid/EXPECTED.md."""
    log, problems = checked_log(LOGS / "valid")
    assert problems == [] and log is not None
    f = flow(log)
    assert f.database == Route(
        identified=9,
        by_source=(("test corpus", 9),),
        repeats=3,
        duplicates=1,
        screened=5,
        excluded=(("review", 2), ("not-palliative", 1)),
        included=2,
        already_included=1,
        searches=2,
    )
    assert f.database.removed == 4 and f.database.excluded_total == 3
    assert f.other == Route(2, (("other methods: the source papers", 2),), 0, 0, 2, (), 2, 0, 1)
    assert (f.studies, f.extracted, f.awaiting, f.no_group, f.last_search) == (3, 2, 1, 0, "2026-02-20")
    assert f.by_group == (("tae", 1), ("tace-tai", 0), ("pvp", 1), ("pvp-tai-tace", 1))


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ("r2 iranjradiol.com/en/articles/13786.html (first S02)", 1),
        ("r1 Liu (S04); r2 Duan (S04); r6 ircmj (S03)", 3),
        ("r2 and r4 wiley (S06); r3 PMC3930649 (S06)", 3),
        ("r5 r6 wiley (S06)", 2),
        ("r4 wiley 10.1046/j.1464-410X.2003.04314.x same address as S06 r3", 1),
        ("r1 aapm; r2 evtoday; r8 ichgcp  -> 8 repeats", 8),
        ("all 8 repeats: PMC3036517, discovery NBCA", 8),
    ],
)
def test_repeated_hits_are_counted_by_rank(line: str, count: int) -> None:
    assert repeat_count(line) == count


def _table_codes(heading: str) -> list[str]:
    section = PROTOCOL.read_text(encoding="utf-8").split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.MULTILINE)


def test_the_protocol_lists_exactly_the_codes_the_check_knows() -> None:
    assert _table_codes("Exclusion reasons") == list(EXCLUSION_REASONS)
    assert _table_codes("Intervention groups") == list(INTERVENTION_GROUPS)
    assert re.search(r"`included`.*`excluded`.*`already-included`", PROTOCOL.read_text(encoding="utf-8"), re.S)


def test_the_real_log_is_valid_and_names_every_study() -> None:
    checked = pipeline.check(ROOT / "evidence", ROOT / "references")
    assert checked.log_problems == [] and checked.search_log is not None
    f = flow(checked.search_log)
    for r in (f.database, f.other):
        assert r.identified - r.removed == r.screened and r.screened == r.excluded_total + r.included
    files = study_ids(load.study_paths(ROOT / "evidence"))
    assert f.extracted == len(files) and f.studies >= len(files)
    assert f.last_search == max(s.date for s in checked.search_log.searches)


@st.composite
def logs(draw: Any) -> SearchLog:
    searches, records = [], []
    for i in range(draw(st.integers(1, 5))):
        rows = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(DECISIONS),
                    st.sampled_from(list(EXCLUSION_REASONS)),
                    st.sampled_from(("", *INTERVENTION_GROUPS)),
                    st.sampled_from(("", "a-2020", "b-2021")),
                ),
                max_size=8,
            )
        )
        repeats = draw(st.integers(0, 5))
        source = "other methods: papers" if draw(st.booleans()) else "a database"
        date = draw(st.sampled_from(("2026-01-01", "2025-06-30")))
        searches.append(Search(f"S{i}", date, source, "q", len(rows) + repeats, repeats))
        for j, (decision, reason, group, study) in enumerate(rows):
            reason, study = (reason, "") if decision == "excluded" else ("", study)
            records.append(LogRecord(f"R{i}-{j}", f"S{i}", "t", decision, reason, group, study))
    return SearchLog(tuple(searches), tuple(records))


@settings(max_examples=200, deadline=None)
@given(logs())
def test_the_flow_boxes_add_up(log: SearchLog) -> None:
    f = flow(log)
    for r in (f.database, f.other):
        assert r.identified - r.removed == r.screened
        assert r.screened == r.excluded_total + r.included
        assert r.identified == sum(n for _, n in r.by_source)
    assert f.studies <= f.database.included + f.other.included
    assert sum(n for _, n in f.by_group) + f.no_group == f.studies == f.extracted + f.awaiting
    assert f.extracted == len({r.study for r in log.records if r.decision in INCLUDED and r.study})


@pytest.fixture(scope="module")
def with_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[pipeline.Checked, pipeline.Built]:
    """The fixture studies with the valid fixture log beside them, built once."""
    folder = tmp_path_factory.mktemp("evidence")
    for p in (FIXTURES / "evidence").glob("*.yaml"):
        shutil.copy(p, folder)
    shutil.copytree(LOGS / "valid" / "search", folder / "search")
    checked = pipeline.check(folder, REFERENCES)
    assert [p for p in checked.problems if p.is_error] == []
    return checked, pipeline.build(checked)


def test_the_page_shows_the_flow_diagram_with_its_numbers(with_log: tuple[pipeline.Checked, pipeline.Built]) -> None:
    rendered = with_log[1].rendered
    page = rendered.files["search/index.md"]
    assert "figures/prisma.svg" in page and "figures/prisma-narrow.svg" in page
    assert "| 2026-02-20" in page.replace('<span class="nowrap">', "| ") and "beta, gamma" in page
    for name in ("prisma.svg", "prisma-narrow.svg"):
        svg = rendered.files[f"figures/{name}"]
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        for shown in ("2 searches, n = 9", "n = 4", "n = 5", "n = 3", "review, guideline or commentary: 2",
                      "same page returned again: 3", "found by other methods: 2"):  # fmt: skip
            assert shown in texts, (name, shown)
    assert "search/index.md" in str(rendered.nav)


def test_home_and_whats_new_print_the_search(with_log: tuple[pipeline.Checked, pipeline.Built]) -> None:
    files = with_log[1].rendered.files
    home = " ".join(files["index.md"].split())
    assert "last run on 2026-02-20, screened 5 records; 3 studies are included, 2 of them" in home
    assert "No literature search" not in home
    news = files["changelog/index.md"]
    assert "# What's new" in news and "Last literature search: 2026-02-20" in news
    assert news.index("Other 2021") < news.index("Mini 2020")  # newest first


def test_every_page_footer_carries_the_last_search(
    with_log: tuple[pipeline.Checked, pipeline.Built], tmp_path: Path
) -> None:
    checked, built = with_log
    assert built.rendered.footer == "Last literature search: 2026-02-20"
    config = mkdocs_config(tmp_path, tmp_path / "docs", tmp_path / "site", footer="Last <search>")
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["copyright"] == "Last &lt;search&gt;"
    html = pipeline.print_html(checked, built, "test")
    assert '<p class="running-footer">Last literature search: 2026-02-20</p>' in html
    assert 'id="p-search"' in html


def test_without_a_log_the_page_says_so() -> None:
    checked = pipeline.check(FIXTURES / "evidence", REFERENCES)
    assert checked.search_log is None and checked.log_problems == []
    rendered = pipeline.build(checked).rendered
    assert "No literature search is recorded" in rendered.files["search/index.md"]
    assert "No literature search is recorded" in rendered.files["index.md"]
    assert "figures/prisma.svg" not in rendered.files and rendered.footer is None
