"""The field reference for editors, generated from the JSON Schema itself (part of render)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from evsynth.core.schema import study_schema

SHAPES = {
    "count": "count",
    "number": "number",
    "nonneg": "number ≥ 0",
    "percent": "percentage 0-100",
    "source": "{report, where}",
    "time_point": "baseline, or {value, unit}",
}


@dataclass(frozen=True)
class FieldDoc:
    path: str
    kind: str
    required: bool
    description: str


def _kind(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return SHAPES.get(schema["$ref"].rsplit("/", 1)[-1], "see above")
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return f"always {schema['const']}"
    t = schema.get("type")
    if t == "array":
        return "list of " + _kind(schema.get("items", {}))
    if t == "object":
        return "mapping"
    if isinstance(t, list):
        return " or ".join(t)
    return str(t or "any")


def field_docs(schema: dict[str, Any] | None = None) -> list[FieldDoc]:
    """Every field of a study file, in schema order, with its kind and description."""
    schema = schema or study_schema()
    return list(_walk(schema, "", schema.get("required", [])))


def _walk(node: dict[str, Any], prefix: str, required: list[str]) -> Iterator[FieldDoc]:
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield FieldDoc(path, _kind(sub), name in required, sub.get("description", ""))
        target = sub.get("items", sub) if sub.get("type") == "array" else sub
        if target.get("type") == "object" or "properties" in target:
            yield from _walk(
                target, f"{path}{'[].' if sub.get('type') == 'array' else '.'}", target.get("required", [])
            )
        extra = sub.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("properties"):
            yield from _walk(extra, f"{path}.<id>.", extra.get("required", []))
