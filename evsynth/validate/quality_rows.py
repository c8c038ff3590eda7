"""Patient-level rows against the paper's own summary of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from evsynth.core.model import Study, Value
from evsynth.core.records import PatientRow
from evsynth.validate.discrepancy import Discrepancy, _disc, _entry, _fmt, _leaves, _what, decimals


def _rows_summary(study: Study, rows: tuple[PatientRow, ...]) -> dict[tuple[str, ...], float]:
    ages = [r.age for r in rows if isinstance(r.age, int)]
    sexes = Counter(r.sex for r in rows)
    out: dict[tuple[str, ...], float] = {
        ("patients",): len(rows),
        ("sex", "male"): sexes["M"],
        ("sex", "female"): sexes["F"],
    }
    if ages:
        out.update({("age", "min"): min(ages), ("age", "max"): max(ages), ("age", "mean"): sum(ages) / len(ages)})
    for prim, n in Counter(r.primary for r in rows if r.primary).items():
        out[("primaries", str(prim), "n")] = n
    return out


def _rows(study: Study, vocab_covers: Any) -> Iterator[Discrepancy]:
    table = study.patients_table
    if table is None:
        return
    rows = table.rows
    derived = _rows_summary(study, rows)
    tv = Value(len(rows), table.source, table.line, 1, ("patients_table",))
    for r in study.population:
        checks = dict(derived)
        for s in r.sites:
            checks[("sites", s.site, "n")] = sum(1 for row in rows if any(vocab_covers(s.site, x) for x in row.sites))
        for p in r.primaries:
            for s in p.sites:
                mine = [row for row in rows if row.primary == p.primary]
                checks[("primaries", p.primary, "sites", s.site, "n")] = sum(
                    1 for row in mine if any(vocab_covers(s.site, x) for x in row.sites)
                )
        for path, _x, v in _leaves(r.tree, (), None, False):
            key = tuple(p for p in path)
            if key in checks:
                expected = checks[key]
                same = round(expected, decimals(v)) == float(v) if key == ("age", "mean") else expected == float(v)
                if not same:
                    what = _what("population", key, "population")
                    yield _disc(
                        study,
                        "rows-disagree",
                        what,
                        f"{what} is {_fmt(float(v))} in {v.locator} but {_fmt(expected)} by the "
                        f"patient rows of {table.source.label}",
                        _entry(v),
                        (_fmt(expected), tv, f"{table.source.label}, derived from the rows"),
                    )


def _covers(vocab: Any) -> Any:
    return vocab.site_covers if vocab is not None else (lambda a, b: a == b)
