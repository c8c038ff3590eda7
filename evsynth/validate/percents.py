"""Printed percentages: where each one sits with its count and denominator, whether a whole count can
give it, and the two entry mistakes that look like a source's contradiction but are the editor's
(a proportion written as a percentage, `percent: 0.97`; a percentage written as the count, `n: 97`).
The mistakes are errors with their fix (`check_percent_entries`); only the rest reach the
data-quality report as findings in the source."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from evsynth.core.model import Study, Value
from evsynth.core.problems import Problem


def percent_possible(pct: float, of: int) -> bool:
    """Whether some whole count k of `of` gives a percentage within a point of `pct` (constant time:
    the count nearest pct% of `of` is the only candidate worth trying)."""
    k = min(max(round(pct * of / 100), 0), of)
    return abs(100 * k / of - pct) < 1


def printed_places(v: Value) -> int:
    """Decimal places the percentage is printed with (`55` -> 0, `55.6` -> 1), from the text as printed
    when kept, else from the number."""
    text = v.printed or (str(v.value) if isinstance(v.value, int) else repr(float(v.value)))
    digits = text.strip().rstrip("%").strip()
    return len(digits.split(".", 1)[1]) if "." in digits and "e" not in digits.casefold() else 0


def rounding(pct: float, n: float, of: float, places: int) -> str:
    """How a percentage printed with `places` decimals relates to n/N: "rounded" (within half a unit of
    the last printed place), "truncated" (the exact value cut after the last place, not rounded:
    55 for 10/18 = 55.56), or "mismatch" (a point or more away), else "close" (less than a point
    away, neither rounded nor truncated)."""
    exact, unit = 100 * n / of, 10.0**-places
    if abs(exact - pct) <= unit / 2 + 1e-9:
        return "rounded"
    if abs(exact - pct) >= 1:
        return "mismatch"
    cut = math.floor(exact / unit + 1e-9) * unit
    return "truncated" if abs(cut - pct) < unit / 1000 else "close"


def _denominator(node: dict[str, Any], key: str, of: Any) -> Any:
    """The denominator a child section's percentages are out of."""
    evaluated = node.get("evaluated")
    ev_n = evaluated.get("n") if isinstance(evaluated, dict) else None
    if key == "categories":
        resp = node.get("responders") or {}
        return resp.get("of") if isinstance(resp.get("of"), Value) else ev_n
    if key == "responders":
        return ev_n if isinstance(ev_n, Value) else None
    if key == "evaluated":
        return None
    return of


Reading = tuple[Value | None, Value, Value]  # count or None, printed percentage, denominator


def percent_readings(node: Any, denominator: Value | None = None) -> Iterator[Reading]:
    """(count or None, printed percentage, denominator) of every percentage with a denominator, in
    the order written."""
    out: list[Reading] = []
    _readings(node, denominator, out)
    return iter(out)


def _readings(node: Any, denominator: Value | None, out: list[Reading]) -> None:
    """`percent_readings` into `out`: one walk, no generator at each level, leaves not visited."""
    if isinstance(node, dict):
        of = node.get("of") if isinstance(node.get("of"), Value) else denominator
        n, pct = node.get("n"), node.get("percent")
        if isinstance(pct, Value) and isinstance(of, Value) and float(of) > 0:
            out.append(((n if isinstance(n, Value) else None), pct, of))
        inner = node.get("n") if isinstance(node.get("n"), Value) and "categories" in node else None
        for key, v in node.items():
            if isinstance(v, (dict, list)):
                sub = _denominator(node, key, of)
                _readings(v, sub if isinstance(sub, Value) else inner, out)
    elif isinstance(node, list):
        for v in node:
            if isinstance(v, (dict, list)):
                _readings(v, denominator, out)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _proportion(p: float, n: Value | None, total: int) -> bool:
    """Whether a percentage of at most 1 reads as a proportion: it matches its count times 100, or
    (no count) no whole count of `total` under 100 gives it while one gives 100 times it."""
    if n is not None:
        return abs(100 * float(n) / total - 100 * p) < 1
    exact = total < 100 or not percent_possible(p, total)
    return exact and percent_possible(100 * p, total)


def entry_mistake(n: Value | None, pct: Value, of: Value) -> tuple[Value, str] | None:
    """The value written wrongly and the fix, when a percentage reads as an entry mistake."""
    p, total = float(pct), int(of.value)
    if 0 < p <= 1 and _proportion(p, n, total):
        return pct, (f"`percent` is {_fmt(p)}, a proportion: write percentages out of 100 (`percent: {_fmt(100 * p)}`)")
    if n is not None and float(n) == p and float(n) <= total != 100 and abs(100 * float(n) / total - p) >= 1:
        count = round(p * total / 100)
        return n, (
            f"`n` is {n.value}, the printed percentage: `n` is a count of patients "
            f"({_fmt(p)}% of {total} is about {count}); keep {_fmt(p)} under `percent:`"
        )
    return None


def check_percent_entries(study: Study) -> Iterator[Problem]:
    """An error, with its fix, for each percentage entered as a proportion or as the count."""
    for r in study.readings():
        for n, pct, of in percent_readings(r.tree):
            found = entry_mistake(n, pct, of)
            if found is not None:
                v, message = found
                yield Problem(study.path, v.line, v.column, "percent-entry", message)
