"""The strict YAML reader: what plain values mean, and what it refuses."""

from __future__ import annotations

import time
import tracemalloc

from evsynth.load.yamlio import parse_yaml


def data(text: str) -> object:
    doc, problems = parse_yaml("t.yaml", text.encode())
    assert problems == []
    assert doc is not None
    return doc.data


def codes(text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    return [p.code for p in parse_yaml("t.yaml", raw)[1]]


def test_plain_values_follow_yaml_1_2_core() -> None:
    assert data("a: 12\nb: 1.5\nc: true\nd: ~\ne: text\nf: -3\ng: '12'\n") == {
        "a": 12,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": "text",
        "f": -3,
        "g": "12",
    }


def test_dates_stay_text() -> None:
    assert data("on: 2026-11-21\nstart: 1996-09\n") == {"on": "2026-11-21", "start": "1996-09"}


def test_keys_are_always_text() -> None:
    assert data("no: 1\n2: x\n") == {"no": 1, "2": "x"}


def test_yaml_1_1_surprises_are_refused() -> None:
    for plain in ("no", "Yes", "off", "1e3", "012", "0x1F", "1:20", "1_000"):
        assert codes(f"a: {plain}\n") == ["yaml-ambiguous"], plain


def test_quoted_ambiguous_values_are_fine() -> None:
    assert data("a: 'no'\nb: \"1e3\"\n") == {"a": "no", "b": "1e3"}


def test_non_finite_numbers_are_refused() -> None:
    assert codes("a: .inf\nb: -.Inf\nc: .NaN\n") == ["non-finite-number"] * 3


def test_positions_are_one_based_line_and_column() -> None:
    doc, _ = parse_yaml("t.yaml", b"a:\n  b: [1, 2]\n")
    assert doc is not None
    assert doc.positions[("a", "b", 1)] == (2, 10)
    assert doc.key_positions[("a", "b")] == (2, 3)


def test_python_tags_are_never_constructed() -> None:
    assert codes("a: !!python/object/apply:os.system ['touch /tmp/pwned']\n") == ["yaml-tag"]
    assert codes("a: !!binary aGVsbG8=\n") == ["yaml-tag"]
    assert codes("!!python/object:builtins.dict {}\n") == ["yaml-tag"]


def test_alias_bomb_is_refused_fast_and_small() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    tracemalloc.start()
    t0 = time.perf_counter()
    found = codes("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "yaml-alias" in found
    assert elapsed < 2 and peak < 50_000_000


def test_deep_nesting_is_refused() -> None:
    assert codes("a: " + "[" * 5000 + "]" * 5000 + "\n") == ["yaml-too-deep"]


def test_non_utf8_names_the_line_and_column() -> None:
    problems = parse_yaml("t.yaml", b"a: 1\nb: caf\xe9\n")[1]
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 7, "not-utf8")]


def test_bom_is_accepted() -> None:
    doc, problems = parse_yaml("t.yaml", "\ufeffa: 1\n".encode())
    assert problems == [] and doc is not None and doc.data == {"a": 1}


def test_empty_and_comment_only_files() -> None:
    assert codes("") == ["empty-file"]
    assert codes("# nothing\n\n") == ["empty-file"]


def test_duplicate_keys_report_both_lines() -> None:
    problems = parse_yaml("t.yaml", b"a: 1\nb: 2\na: 3\n")[1]
    assert [(p.line, p.code) for p in problems] == [(3, "duplicate-key")]
    assert "line 1" in problems[0].message


def _fast(text: str, seconds: float = 1.0) -> list[str]:
    t0 = time.perf_counter()
    found = codes(text)
    assert time.perf_counter() - t0 < seconds
    return found


def test_number_patterns_cannot_backtrack_on_long_values() -> None:
    # red team: `1` + 20,000 `_` + `x`, 49 times, took 119 s (quadratic backtracking)
    value = "1" + "_" * 19_990 + "x"
    assert _fast("".join(f"k{i}: {value}\n" for i in range(49))) == []
    for hostile in (
        "1" + "_" * 19_990,
        "1" + ":1" * 9_000 + "x",
        "0" * 19_000 + "x",
        "1" * 19_000 + "e",
        "1" * 5_000 + ".5",
    ):
        _fast(f"a: {hostile}\n")


def test_a_long_number_like_value_is_ambiguous_not_a_number() -> None:
    assert codes("a: " + "1" * 5000 + "\n") == ["yaml-ambiguous"]  # int() would refuse 4,300+ digits
    assert codes("a: " + "1" * 40 + "x\n") == []


def test_numbers_beyond_float_range_are_not_finite() -> None:
    assert codes("a: 1.0e999\nb: -1.0e999\nc: 1.0e308\n") == ["non-finite-number"] * 2


def test_integers_beyond_53_bits_are_refused() -> None:
    assert codes(f"a: {2**63}\nb: {10**29}\nc: -{2**63}\nd: {2**53}\n") == ["out-of-range"] * 3


def test_lists_mappings_and_files_have_budgets() -> None:
    from evsynth.core.limits import MAX_ITEMS, MAX_KEYS, MAX_NODES

    problems = parse_yaml("t.yaml", ("a: 1\nb:\n" + "- x\n" * (MAX_ITEMS + 1)).encode())[1]
    assert [(p.line, p.code) for p in problems] == [(3, "too-many-items")]
    assert codes("".join(f"k{i}: 1\n" for i in range(MAX_KEYS + 1))) == ["too-many-items"]
    rows = "".join(f"- [{', '.join(['1'] * 99)}]\n" for _ in range(MAX_NODES // 100 + 1))
    assert _fast(rows) == ["too-many-values"]
