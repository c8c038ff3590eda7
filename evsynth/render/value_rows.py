"""`studies.csv`: one row per extracted number, with everything `studies.json` says about it.

A number in the JSON sits inside its record; in the long CSV it stands alone, so each row carries
what the record around it says: its unit (the number's own, else the nearest enclosing `unit:`,
else the unit the field is defined in: age in years, particle sizes in µm, cement in mL, a score's
points, a percentage), what is counted (`per`), the record's `kind` (a score's domain), `label`
and `event`, the item it belongs to (a primary tumour, a drug, a category...), its time point,
and its provenance.
`tests/test_downloads_roundtrip.py` reads the CSV back into the values of the JSON.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from evsynth.core.model import Study, Value

COLUMNS = [
    "study",
    "section",
    "record",
    "field",
    "value",
    "unit",
    "per",
    "kind",
    "label",
    "event",
    "item",
    "time_point",
    "report",
    "citation",
    "report_kind",
    "where",
    "printed",
    "note",
    "ambiguous",
    "inferred",
]
# Keys naming the list item a number belongs to, nearest first.
ITEM_KEYS = ("name", "primary", "site", "drug", "agents")
# Fields whose unit the schema fixes (the file does not write it).
FIELD_UNITS = {"age": "years", "size_um": "µm", "volumes": "mL"}
SCORE_STATS = {"mean", "sd", "median", "se", "q1", "q3", "min", "max"}


def walk(node: Any, chain: tuple[Mapping[str, Any], ...] = ()) -> Iterator[tuple[Value, tuple[Mapping[str, Any], ...]]]:
    """Every number of a record's tree with the mappings around it, outermost first."""
    if isinstance(node, Value):
        yield node, chain
    elif isinstance(node, Mapping):
        for v in node.values():
            yield from walk(v, chain + (node,))
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, chain)


def nearest(chain: tuple[Mapping[str, Any], ...], *keys: str) -> Any:
    """The value of the first of `keys` found in the innermost mapping that has one."""
    for node in reversed(chain):
        for key in keys:
            found = node.get(key)
            if found is not None and isinstance(found, (str, int, float, list, Mapping)):
                return found
    return None


def time_point(tp: Any) -> str:
    """'baseline', or '6 months' from {value: 6, unit: months} ('1 month' from {value: 1, ...})."""
    if isinstance(tp, Mapping):
        value, unit = tp.get("value"), str(tp.get("unit"))
        return f"{value} {unit.removesuffix('s') if value == 1 else unit}"
    return "" if tp is None else str(tp)


def unit_of(v: Value, chain: tuple[Mapping[str, Any], ...], keys: list[str]) -> str:
    """The number's own unit, the nearest enclosing `unit:`, or the unit its field is defined in."""
    written = v.unit or nearest(chain, "unit")
    if isinstance(written, str):
        return written
    if keys and keys[-1] == "percent":
        return "%"
    fixed = next((FIELD_UNITS[k] for k in keys if k in FIELD_UNITS), None)
    if fixed:
        return fixed
    scale = chain[0].get("scale") if chain else None
    if isinstance(scale, str) and keys and keys[-1] in SCORE_STATS and "points" in keys:
        return f"points ({scale})"
    return ""


def context(v: Value, chain: tuple[Mapping[str, Any], ...]) -> dict[str, Any]:
    """What the record around a number says about it."""
    keys = [str(p) for p in v.path if not isinstance(p, int)]
    item = nearest(chain, *ITEM_KEYS)
    return {
        "unit": unit_of(v, chain, keys),
        "per": nearest(chain, "per") or "",
        "kind": nearest(chain, "kind", "domain") or "",
        "label": nearest(chain, "label") or "",
        "event": nearest(chain, "event") or "",
        "item": "+".join(map(str, item)) if isinstance(item, list) else item or "",
        "time_point": time_point(nearest(chain, "time_point")),
    }


def provenance(v: Value) -> dict[str, Any]:
    return {
        "report": v.source.report.id,
        "citation": v.source.report.citation,
        "report_kind": v.source.report.kind,
        "where": v.where or v.source.where or "",
        "printed": v.printed or "",
        "note": v.note or "",
        "ambiguous": v.ambiguous or "",
        "inferred": v.inferred or "",
    }


def value_rows(s: Study) -> Iterator[dict[str, Any]]:
    """One row per number of the study, in the order it was written."""
    for r in s.readings():
        for v, chain in walk(r.tree):
            section = str(v.path[0])
            record = str(v.path[1]) if len(v.path) > 1 and isinstance(v.path[1], int) else ""
            rest = v.path[2:] if record else v.path[1:]
            field = ".".join(str(p) for p in rest)
            row = {"study": s.id, "section": section, "record": record, "field": field, "value": v.value}
            yield row | context(v, chain) | provenance(v)
