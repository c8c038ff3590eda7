"""Templates only print: no `.data[...]` reads, no pandas calls, no sums, sorts or arithmetic.

Views (counts, totals, sorted rows, formatted ranges) are computed in `evsynth/render/`.
"""

from __future__ import annotations

import re

import pytest

from evsynth.core.paths import TEMPLATES

FORBIDDEN = [
    (re.compile(r"\.data\b"), "reads a record's .data"),
    (re.compile(r"\.(sum|mean|median|max|min|count|cumsum|round|apply|agg)\s*\("), "calls a pandas method"),
    (re.compile(r"\.(sort_values|sort_index|iterrows|itertuples|groupby|set_index|loc|iloc|to_dict)\b"), "pandas"),
    (re.compile(r"\|\s*(sum|sort|length|count|round|max|min|abs)\b"), "computes with a filter"),
]
STRING = re.compile(r"\"[^\"]*\"|'[^']*'")
TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
ARITHMETIC = re.compile(r"[\w\)\]]\s*(\*\*|//|[-+*/%])\s*[\w\(\[]")


def problems(text: str) -> list[str]:
    """What a template computes instead of printing, one message per finding."""
    found = []
    for m in TAG.finditer(text):
        code = STRING.sub('""', m.group(1) or m.group(2) or "").strip("-+ \n")
        for pattern, why in FORBIDDEN:
            if pattern.search(code):
                found.append(f"{why}: {m.group(0)[:80]}")
        if ARITHMETIC.search(code):
            found.append(f"arithmetic: {m.group(0)[:80]}")
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.j2")))
def test_template_only_prints(name: str) -> None:
    assert problems((TEMPLATES / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "bad",
    [
        "{{ study.design.data.type | md }}",
        '{% for c in r.data.get("categories", []) %}',
        '{{ syn.comparison["Patients"].sum() | fmt }}',
        '{% for _, row in syn.comparison.sort_values(["Year"]).iterrows() %}',
        "{{ rows | map(attribute=1) | sum }}",
        "{{ studies | length }}",
        "{{ a + b }}",
        "{{ x.n - 1 }}",
        "{% set y = n * 100 / total %}",
        "{% for s in syn.studies | sort(attribute='year') %}",
    ],
)
def test_the_scan_finds_computation(bad: str) -> None:
    assert problems(bad)


def test_the_scan_accepts_printing() -> None:
    ok = '{{ (r.label or r.kind) | replace("-", " ") | md }} {{ figures["forest-" ~ r.outcome ~ ".svg"] }}'
    ok += "{%- if not loop.last -%}{{ e.size_um.min | val }}–{{ e.size_um.max | val }}"
    assert problems(ok) == []
