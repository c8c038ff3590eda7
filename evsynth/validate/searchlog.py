"""Part of stage 2, validate: the literature search log, checked once and typed (`SearchLog`).

Rules: the columns; unique ids; every record's search exists; decisions, exclusion reasons and
intervention groups from the protocol's fixed lists; the study a record names exists, and every
study file is named by a record; each search's `records` equals the records logged for it plus
its repeated hits (`repeated-hits.txt`); real, past dates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from evsynth.core.problems import Problem
from evsynth.core.searchlog import (
    DECISIONS,
    EXCLUSION_REASONS,
    INCLUDED,
    INTERVENTION_GROUPS,
    RECORD_COLUMNS,
    SEARCH_COLUMNS,
    LogRecord,
    Search,
    SearchLog,
)
from evsynth.load.searchlog import RawLog, Table
from evsynth.validate.inputrules import date_problem

Row = tuple[int, dict[str, str]]  # the line a row starts on, its cells by column
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _columns(table: Table, expected: tuple[str, ...]) -> list[Problem]:
    """Unknown and missing columns, at the header."""
    out = []
    for i, name in enumerate(table.header, 1):
        if name not in expected:
            msg = f"unknown column `{name[:40]}`: the columns are {', '.join(expected)}; rename or remove it"
            out.append(Problem(table.path, 1, i, "log-unknown-column", msg))
    for name in expected:
        if name not in table.header:
            msg = f"the column `{name}` is missing: add it to the header (its cells may be empty)"
            out.append(Problem(table.path, 1, 1, "log-missing-column", msg))
    return out


def _rows(table: Table, problems: list[Problem]) -> list[Row]:
    """Each row as cells by column; a row with too few or too many cells is a problem and skipped."""
    rows = []
    for line, cells in table.rows:
        if len(cells) != len(table.header):
            msg = f"{len(cells)} cells where the header has {len(table.header)}: quote a cell holding a comma"
            problems.append(Problem(table.path, line, 1, "log-syntax", msg))
            continue
        rows.append((line, {k: v.strip() for k, v in zip(table.header, cells, strict=True)}))
    return rows


def _col(table: Table, name: str) -> int:
    return table.header.index(name) + 1 if name in table.header else 1


def _duplicates(table: Table, rows: list[Row], key: str, what: str) -> list[Problem]:
    first: dict[str, int] = {}
    out = []
    for line, r in rows:
        if r[key] in first:
            msg = f"{what} `{r[key][:40]}` is used twice (first on line {first[r[key]]}): give this one a free id"
            out.append(Problem(table.path, line, _col(table, key), "log-duplicate-id", msg))
        first.setdefault(r[key], line)
    return out


def _search(table: Table, line: int, r: dict[str, str], repeats: int) -> tuple[Search | None, list[Problem]]:
    out = []
    why = date_problem(r["date"]) if _FULL_DATE.match(r["date"]) else "is not a date of the form YYYY-MM-DD"
    if why:
        msg = f"the date {r['date'][:20]!r} {why}: give the day the search was run"
        out.append(Problem(table.path, line, _col(table, "date"), "bad-date", msg))
    if not r["records"].isdigit():
        msg = f"`records` {r['records'][:20]!r} is not a whole number: give the number of results the search returned"
        out.append(Problem(table.path, line, _col(table, "records"), "bad-format", msg))
    if out:
        return None, out
    return Search(r["search_id"], r["date"], r["source"], r["query"], int(r["records"]), repeats), []


def _decision(table: Table, line: int, r: dict[str, str]) -> list[Problem]:
    decision, reason, group = r["decision"], r["reason"], r["intervention_group"]
    if decision not in DECISIONS:
        msg = f"decision `{decision[:40]}` is not one of {', '.join(DECISIONS)}: use one of them"
        return [Problem(table.path, line, _col(table, "decision"), "log-unknown-decision", msg)]
    out = []
    reasons = ", ".join(EXCLUSION_REASONS)
    if decision == "excluded" and reason not in EXCLUSION_REASONS:
        said = f"reason `{reason[:40]}` is not in the protocol's list" if reason else "no reason given"
        msg = f"{said}: give the first that applies of {reasons}"
        out.append(Problem(table.path, line, _col(table, "reason"), "log-reason", msg))
    if decision != "excluded" and reason:
        msg = f"a record {decision} has no exclusion reason: empty the `reason` cell or make the decision `excluded`"
        out.append(Problem(table.path, line, _col(table, "reason"), "log-reason", msg))
    if group and group not in INTERVENTION_GROUPS:
        groups = ", ".join(INTERVENTION_GROUPS)
        msg = f"intervention group `{group[:40]}` is not one of {groups}: use one or leave the cell empty"
        out.append(Problem(table.path, line, _col(table, "intervention_group"), "log-unknown-group", msg))
    return out


def _study(table: Table, line: int, r: dict[str, str], studies: frozenset[str]) -> list[Problem]:
    study, decision, col = r["study"], r["decision"], _col(table, "study")
    if study and study not in studies:
        msg = f"no study file `evidence/{study[:60]}.yaml`: correct the id, or leave the cell empty until extracted"
        return [Problem(table.path, line, col, "log-missing-study", msg)]
    if study and decision not in INCLUDED:
        msg = f"a record {decision} became no study: empty the `study` cell, or correct the decision"
        return [Problem(table.path, line, col, "log-missing-study", msg)]
    if not study and decision == "already-included":
        msg = "an already-included record names the study file it is: give its id (e.g. chiras-2004) in `study`"
        return [Problem(table.path, line, col, "log-missing-study", msg)]
    return []


def _record(table: Table, line: int, r: dict[str, str], searches: set[str], studies: frozenset[str]) -> list[Problem]:
    out = []
    if r["search_id"] not in searches:
        msg = f"search `{r['search_id'][:40]}` is not in searches.csv: log the search first, or correct the id"
        out.append(Problem(table.path, line, _col(table, "search_id"), "log-unknown-search", msg))
    return out + _decision(table, line, r) + _study(table, line, r, studies)


def _counts(table: Table, rows: list[Row], log: RawLog, records: list[LogRecord]) -> list[Problem]:
    """Each search's `records` = its records logged + its results that repeated a page already logged."""
    logged = Counter(r.search for r in records)
    out = []
    for line, r in rows:
        sid = r["search_id"]
        if not r["records"].isdigit():
            continue
        found = logged[sid] + log.repeats.get(sid, 0)
        if int(r["records"]) != found:
            msg = (
                f"search {sid[:20]} returned {r['records']} results, but {logged[sid]} are logged in records.csv "
                f"and {log.repeats.get(sid, 0)} in repeated-hits.txt: log the missing results, or correct `records`"
            )
            out.append(Problem(table.path, line, _col(table, "records"), "log-count-mismatch", msg))
    return out


def _unknown_repeats(log: RawLog, searches: set[str]) -> Iterable[Problem]:
    for sid, (path, line) in log.repeats_where.items():
        if sid not in searches:
            msg = f"search `{sid[:40]}` is not in searches.csv: correct the id at the start of the line"
            yield Problem(path, line, 1, "log-unknown-search", msg)


def _unlogged(log_path: str, records: list[LogRecord], studies: frozenset[str]) -> Iterable[Problem]:
    named = {r.study for r in records if r.decision in INCLUDED}
    for study in sorted(studies - named):
        msg = (
            f"the study file evidence/{study}.yaml is named by no included record of the search log: "
            "add a record (decision included, study " + study + ") under the search that found it"
        )
        yield Problem(log_path, 1, 1, "log-unlogged-study", msg)


def validate_log(log: RawLog, studies: frozenset[str]) -> tuple[SearchLog | None, list[Problem]]:
    """The typed log and every problem with it; None when a table cannot be read or lacks a column."""
    problems = list(log.problems)
    if log.searches is None or log.records is None:
        return None, problems
    s_table, r_table = log.searches, log.records
    problems += _columns(s_table, SEARCH_COLUMNS) + _columns(r_table, RECORD_COLUMNS)
    if any(p.code == "log-missing-column" for p in problems):
        return None, problems
    s_rows, r_rows = _rows(s_table, problems), _rows(r_table, problems)
    problems += _duplicates(s_table, s_rows, "search_id", "search id")
    problems += _duplicates(r_table, r_rows, "record_id", "record id")
    searches: list[Search] = []
    for line, r in s_rows:
        search, found = _search(s_table, line, r, log.repeats.get(r["search_id"], 0))
        problems += found
        searches += [search] if search else []
    ids = {r["search_id"] for _, r in s_rows}
    records = []
    for line, r in r_rows:
        problems += _record(r_table, line, r, ids, studies)
        cells = (r["record_id"], r["search_id"], r["title"], r["decision"], r["reason"], r["intervention_group"])
        records.append(LogRecord(*cells, r["study"]))
    problems += _counts(s_table, s_rows, log, records) + list(_unknown_repeats(log, ids))
    problems += list(_unlogged(r_table.path, records, studies))
    return SearchLog(tuple(searches), tuple(records)), problems
