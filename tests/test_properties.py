"""Hypothesis properties: no input, however strange, produces a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from conftest import FIXTURES, REFERENCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsynth.load import files as load
from evsynth.load.yamlio import parse_yaml
from evsynth.validate.checks import validate_evidence

BIB, _ = load.load_bibliography(load.read_files(load.bib_paths(REFERENCES))[0])


class _Yaml12(yaml.SafeLoader):
    """PyYAML reads `no:` as False (YAML 1.1); the project's reader, like YAML 1.2, reads it as text."""


_Yaml12.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
BASE = yaml.load((FIXTURES / "evidence" / "mini-2020.yaml").read_text(), Loader=_Yaml12)


def pipeline(raw: bytes, name: str = "prop-2020.yaml") -> None:
    doc, problems = parse_yaml(name, raw)
    for p in problems:
        assert p.code and p.message and p.line >= 1
    if doc is not None:
        validate_evidence([doc], BIB)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    pipeline(raw)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(list("ab: -[]{}'\"#&*!|>%@`,?\n\t 01.eE~") + ["no", "1e3", "  ", "\n  "]), max_size=200)
)
def test_yaml_like_text_never_raises(pieces: list[str]) -> None:
    pipeline("".join(pieces).encode())


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=30,
)
KEYS = list(BASE) + ["population", "responses", "durations", "complications", "scores", "patients_table"]


def _mutate(base: Any, path: list[Any], value: Any) -> Any:
    if not path or not isinstance(base, (dict, list)) or not base:
        return value
    if isinstance(base, dict):
        key = list(base)[path[0] % len(base)]
        return {**base, key: _mutate(base[key], path[1:], value)}
    i = path[0] % len(base)
    return base[:i] + [_mutate(base[i], path[1:], value)] + base[i + 1 :]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 50), max_size=5), trees)
def test_study_with_any_value_anywhere_never_raises(path: list[int], value: Any) -> None:
    mutated = _mutate(BASE, path, value)
    pipeline(yaml.safe_dump(mutated, allow_unicode=True).encode(), "mini-2020.yaml")


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), trees, max_size=8))
def test_arbitrary_top_level_mappings_never_raise(doc: dict[str, Any]) -> None:
    pipeline(yaml.safe_dump(doc).encode())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_arbitrary_bibtex_never_raises(text: str) -> None:
    bib, problems = load.load_bibliography([load.RawFile("x.bib", text.encode("utf-8", "surrogatepass"))])
    from evsynth.validate.checks import validate_bibliography

    validate_bibliography(bib)
    assert all(p.line >= 1 for p in problems)


def test_valid_base_really_is_valid() -> None:
    doc, problems = parse_yaml("mini-2020.yaml", yaml.safe_dump(BASE).encode())
    assert problems == [] and doc is not None
    assert len(validate_evidence([doc], BIB).studies) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 50), max_size=5), trees)
def test_fast_schema_check_never_passes_what_jsonschema_rejects(path: list[int], value: Any) -> None:
    """The compiled validator may only answer 'valid' when jsonschema agrees (it decides the rest)."""
    from evsynth.validate.schema_check import _validator, schema_valid_fast

    doc, _problems = parse_yaml("mini-2020.yaml", yaml.safe_dump(_mutate(BASE, path, value)).encode())
    if doc is None:
        return
    if schema_valid_fast(doc.data):
        assert list(_validator().iter_errors(doc.data)) == []


HEADERS = {"PLO": "study,events,total", "MN": "study,mean,sd,n", "MC": "study,mean_pre,sd_pre,mean_post,sd_post,n,r"}
CELLS = st.one_of(
    st.sampled_from(["", "0", "1", "2", "-1", "0.5", "1e308", "1e-300", "nan", "inf", "x", " 3 ", "0.999999999999"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 10**7).map(str),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(HEADERS)), st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=8))
def test_meta_csv_of_any_measure_never_raises(tmp_path: Any, measure: str, rows: list[list[str]]) -> None:
    """Whatever the cells, `build.py meta` gives a result or problems naming file:line, never a traceback."""
    from evsynth.tools.meta import run_meta

    f = tmp_path / "m.csv"
    f.write_text("\n".join([HEADERS[measure]] + ["s," + ",".join(r) for r in rows]) + "\n")
    for tau2, ci in (("reml", "hksj"), ("dl", "wald")):
        out, problems = run_meta(f, tau2, ci, True, measure)  # type: ignore[arg-type]
        assert bool(out) != bool(problems)
        for p in problems:
            assert p.code and p.message and p.line >= 1


_score = st.floats(-1e6, 1e6, allow_nan=False)
_sd = st.floats(1e-6, 1e6, allow_nan=False)
_n = st.integers(2, 10_000_000)
_r = st.one_of(st.just(""), st.floats(-0.999999, 0.999999).map(repr))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_score, _sd, _score, _sd, _n, _r), min_size=1, max_size=8), st.sampled_from(["MN", "MC"]))
def test_meta_pools_allowed_scores_without_raising(tmp_path: Any, rows: list[tuple[Any, ...]], measure: str) -> None:
    """Scores, SDs, n and r anywhere inside the ranges the rows accept: pooled, or one problem, never a traceback."""
    from evsynth.tools.meta import run_meta

    f = tmp_path / "m.csv"
    if measure == "MN":
        lines = [f"s{i},{m!r},{sd!r},{n}" for i, (m, sd, _, _, n, _) in enumerate(rows)]
    else:
        lines = [f"s{i},{a!r},{sa!r},{b!r},{sb!r},{n},{r}" for i, (a, sa, b, sb, n, r) in enumerate(rows)]
    f.write_text("\n".join([HEADERS[measure], *lines]) + "\n")
    out, problems = run_meta(f, "reml", "hksj", True, measure)  # type: ignore[arg-type]
    assert bool(out) != bool(problems)
    if out:
        assert json.loads(out)["k"] == len(rows)


def test_fast_schema_check_agrees_with_jsonschema_on_every_fixture_and_study() -> None:
    """The compiled validator (refs inlined, annotations left out) answers as jsonschema does."""
    from evsynth.validate.schema_check import _validator, schema_valid_fast

    root = Path(__file__).resolve().parent.parent
    paths = sorted((root / "tests" / "fixtures").rglob("*.yaml")) + sorted((root / "evidence").glob("*.yaml"))
    checked = 0
    for p in paths:
        doc, _problems = parse_yaml(p.name, p.read_bytes())
        if doc is None:
            continue
        checked += 1
        assert schema_valid_fast(doc.data) == (list(_validator().iter_errors(doc.data)) == []), p
    assert checked > 20


@settings(deadline=None)
@given(st.integers(1, 400).flatmap(lambda t: st.tuples(st.integers(0, t), st.just(t))), st.integers(0, 2))
def test_a_count_is_found_again_from_its_percentage_rounded_or_truncated(kt: tuple[int, int], decimals: int) -> None:
    import math

    from evsynth.synthesis.outcomes import counts_for_percent

    k, total = kt
    exact = 100 * k / total
    for printed in (round(exact, decimals), math.floor(exact * 10**decimals) / 10**decimals):
        assert k in counts_for_percent(printed, total, most=total + 1, decimals=decimals), (printed, total)


def test_a_percentage_no_whole_count_prints_as_is_not_back_calculated() -> None:
    from evsynth.synthesis.outcomes import counts_for_percent, printed_decimals

    assert counts_for_percent(74.4, 36, most=2, decimals=printed_decimals(74.4)) == []  # 26/36 72.2, 27/36 75.0
    assert counts_for_percent(78, 18, most=2, decimals=printed_decimals(78)) == [14]  # 77.8 rounded
    assert counts_for_percent(55, 18, most=2, decimals=0) == [10]  # 55.6 truncated
    assert counts_for_percent(90.9, 11, most=2, decimals=printed_decimals(90.9)) == [10]
