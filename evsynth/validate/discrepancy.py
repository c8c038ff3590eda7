"""The record of a data-quality finding in the sources, and the helpers that write one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from evsynth.core.model import Study, Value, months
from evsynth.core.problems import Problem
from evsynth.core.records import TimePoint

ITEM_KEYS = ("primary", "site", "name", "event", "label", "drug")


SECTION_TITLES = {
    "population": "population",
    "procedures": "procedures",
    "responses": "response",
    "durations": "duration",
    "complications": "complication",
    "scores": "score",
}


@dataclass(frozen=True)
class Discrepancy:
    study: str
    path: str
    code: str
    what: str
    message: str
    values: tuple[tuple[str, Value | None, str], ...]  # (shown value, Value, provenance)
    anchor: int = 0  # the line the finding is reported at, when not its first value's

    @property
    def line(self) -> int:
        if self.anchor:
            return self.anchor
        lines = [v.line for _, v, _ in self.values if v is not None]
        return min(lines) if lines else 1

    def as_problem(self) -> Problem:
        return Problem(self.path, self.line, 1, self.code, self.message, "warning")


def decimals(v: Value) -> int:
    if isinstance(v.value, int):
        return 0
    text = repr(float(v.value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _entry(v: Value, shown: str | None = None) -> tuple[str, Value, str]:
    text = shown or (v.printed or _fmt(float(v.value)))
    if v.unit:
        text += f" {v.unit}"
    return text, v, v.locator


def _disc(study: Study, code: str, what: str, message: str, *values: tuple[str, Value | None, str]) -> Discrepancy:
    return Discrepancy(study.id, study.path, code, what, f"{study.label}: {message}", tuple(values))


def _item_key(item: Any, i: int) -> str:
    if isinstance(item, dict):
        for k in ITEM_KEYS:
            if isinstance(item.get(k), str):
                return str(item[k]).casefold()
        tp = item.get("time_point")
        if tp is not None:
            return _time_key(tp)
    return str(i)


def _time_key(tp: Any) -> str:
    if isinstance(tp, dict | TimePoint):
        value, unit = (tp["value"], str(tp["unit"])) if isinstance(tp, dict) else (tp.value, tp.unit)
        return f"{_fmt(value)} {unit[:-1] if value == 1 else unit}"
    return str(tp)


def _leaves(
    node: Any, path: tuple[str, ...], unit: str | None, timed: bool
) -> Iterator[tuple[tuple[str, ...], float, Value]]:
    if isinstance(node, Value):
        yield path, (months(node, unit) if timed else float(node)), node
    elif isinstance(node, dict):
        unit = node["unit"] if isinstance(node.get("unit"), str) else unit
        for k, v in node.items():
            if k in ("source", "time_point"):
                continue
            yield from _leaves(v, path + (k,), unit, timed or k in ("duration", "interval"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (_item_key(v, i),), unit, timed)


def _what(section: str, path: tuple[str, ...], title: str = "") -> str:
    words = " ".join("count" if p == "n" else p.replace("_", " ").replace("-", " ") for p in path)
    return f"{title or SECTION_TITLES.get(section, section)}: {words}" if words else title or section
