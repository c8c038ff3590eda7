"""Where a number sits in a study, in words ("Population, Table 2 › kidney › solitary"), never as a
path of field names and indexes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from evsynth.core.model import Study

SECTIONS = {
    "design": "Design", "intervention": "Intervention", "population": "Population", "responses": "Response",
    "scores": "Score", "durations": "Duration", "complications": "Complication", "patients_table": "Patient table",
    "cases": "Described patient",
}  # fmt: skip
NAME_KEYS = ("primary", "site", "label", "event", "kind", "domain", "scale", "agent", "drug", "name")


def _name(item: Any, index: int, label: Callable[[str, str], str]) -> str:
    if isinstance(item, dict):
        for key in NAME_KEYS:
            v = item.get(key)
            if isinstance(v, str):
                return label(key, v)
    return f"item {index + 1}"


def _record(study: Study, path: Sequence[str | int]) -> tuple[str, Any, Sequence[str | int]]:
    section = str(path[0])
    title = SECTIONS.get(section, section.replace("_", " ").capitalize())
    found = getattr(study, section, None)
    if isinstance(found, list) and len(path) > 1 and isinstance(path[1], int) and path[1] < len(found):
        rec = found[path[1]]
        where = rec.source.where if getattr(rec, "source", None) is not None else None
        return f"{title} {path[1] + 1}" + (f", {where}" if where else ""), rec.tree, path[2:]
    return title, getattr(found, "tree", None), path[1:]


def place(study: Study, path: Sequence[str | int], label: Callable[[str, str], str]) -> str:
    """The words for `path` in `study`: the section (with its source), then each field by its name and
    each list item by what it is about (a primary tumour, a site, an event), else its position."""
    if not path:
        return ""
    head, node, rest = _record(study, path)
    parts = [head]
    for step in rest:
        if isinstance(step, int):
            item = node[step] if isinstance(node, (list, tuple)) and step < len(node) else None
            parts.append(_name(item, step, label))
            node = item
        else:
            parts.append("count" if step == "n" else step.replace("_", " "))
            node = node.get(step) if isinstance(node, dict) else None
    return " › ".join(parts)
