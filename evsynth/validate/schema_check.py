"""Validation against the JSON Schema, with problems that name the field, the line and the fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from evsynth.core.document import Document, Path
from evsynth.core.problems import Problem
from evsynth.core.schema import study_schema


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(study_schema())


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:60]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "an empty value"


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
}


def _any(x: object) -> Any:
    return x


_RATIO = re.compile(r"\s*[0-9]+\s*/\s*[0-9]")  # 'n/N' (on at most 100 characters: no backtracking cost)


def _type_message(err: ValidationError) -> str:
    value: Any = err.validator_value
    expected: list[str] = value if isinstance(value, list) else [value]
    words = [_TYPE_WORDS.get(t, t) for t in expected]
    if "object" in expected and len(expected) == 2:
        want = f"{words[0]} (or a mapping with `value:` and its provenance)"
    else:
        want = " or ".join(words)
    hint = ""
    field = err.absolute_path[-1] if err.absolute_path else None
    field = err.absolute_path[-2] if field == "value" and len(err.absolute_path) > 1 else field
    if isinstance(err.instance, str) and err.instance.strip().endswith("%") and field == "percent":
        number = err.instance.strip()[:-1].strip()[:20]
        hint = f"; write the number without the % sign (`percent: {number}`)"
    elif isinstance(err.instance, str) and err.instance.strip().endswith("%"):
        hint = "; write the count here and put a percentage under `percent:`"
    elif isinstance(err.instance, str) and _RATIO.match(err.instance[:100]):
        hint = "; split 'n/N' into `n:` and `of:` (and `printed:` for the text as printed)"
    return f"should be {want}, not {_kind(err.instance)}{hint}"


def _unknown_fields(
    doc: Document, path: Path, name: str, allowed: list[str], instance: dict[str, Any]
) -> Iterator[Problem]:
    unknown = [k for k in instance if k not in allowed]
    if len(unknown) > MAX_UNKNOWN_KEYS:
        line, col = doc.pos(path + (unknown[MAX_UNKNOWN_KEYS],), key=True)
        yield Problem(
            doc.path,
            line,
            col,
            "unknown-field",
            f"and {len(unknown) - MAX_UNKNOWN_KEYS:,} more unknown fields in {name}: is this a study file?",
        )
    for key in unknown[:MAX_UNKNOWN_KEYS]:
        line, col = doc.pos(path + (key,), key=True)
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        fix = f"did you mean `{close[0]}`?" if close else f"allowed here: {', '.join(allowed)}"
        if " " in key.strip():
            fix = "this looks like text cut at a comma inside { }: quote the whole text"
        yield Problem(doc.path, line, col, "unknown-field", f"unknown field `{key}` in {name}: {fix}")


def _schema_problems(doc: Document, err: ValidationError) -> Iterator[Problem]:
    path = tuple(err.absolute_path)
    name = dotted(path)
    kw, schema, expected, instance = str(err.validator), _any(err.schema), _any(err.validator_value), _any(err.instance)
    if kw == "additionalProperties" and isinstance(instance, dict):
        yield from _unknown_fields(doc, path, name, list(schema.get("properties", {})), instance)
        return
    line, col = doc.pos(path)
    desc = schema.get("description", "") if isinstance(schema, dict) else ""
    if kw == "required":  # one error per missing field: report that field only
        props = schema.get("properties", {})
        named = re.match(r"'(.+)' is a required property", err.message)
        for req in [named.group(1)] if named else expected:
            if isinstance(instance, dict) and req not in instance:
                what = props.get(req, {}).get("description", "")
                yield Problem(
                    doc.path, line, col, "missing-field", f"{name} needs `{req}`" + (f": {what}" if what else "")
                )
        return
    if kw == "type":
        code, msg = "wrong-type", f"`{name}` {_type_message(err)}"
    elif kw in ("enum", "const"):
        options = expected if kw == "enum" else [expected]
        close = difflib.get_close_matches(str(instance), [str(o) for o in options], n=1, cutoff=0.5)
        fix = f"did you mean `{close[0]}`?" if close else f"use one of: {', '.join(map(str, options))}"
        code, msg = "unknown-value", f"`{name}` is {_kind(instance)}: {fix}"
    elif kw in ("minimum", "maximum"):
        bound = "at least" if kw == "minimum" else "at most"
        code = "negative-count" if kw == "minimum" and expected == 0 else "out-of-range"
        msg = f"`{name}` is {instance}; it must be {bound} {expected}"
    elif kw in ("pattern", "propertyNames", "minLength"):
        code, msg = "bad-format", f"`{name}` is {_kind(instance)}; expected: {desc or err.message}"
    elif kw in ("minItems", "minProperties"):
        code, msg = "empty", f"`{name}` is empty: fill it in or remove it"
    elif kw == "maxLength":
        code, msg = "value-too-long", f"`{name}` is {len(instance):,} characters; at most {expected:,} here: shorten it"
    elif kw in ("maxItems", "maxProperties"):
        code, msg = "too-many-items", f"`{name}` has {len(instance):,} items; at most {expected:,} here: trim it"
    else:
        code, msg = "schema", f"`{name}`: {err.message}"
    yield Problem(doc.path, line, col, code, msg)


MAX_UNKNOWN_KEYS = 20  # per mapping: past that, one summary line (a 60,000-key file is not a typo)


FAST_PATH_FROM = 50  # files: below this the fast validator's compile (~0.5 s) costs more than it saves


ANNOTATIONS = {"description", "title", "examples", "$comment"}  # words for people: no effect on validity
NAMED = {"properties", "patternProperties", "$defs", "dependentSchemas"}  # keys here are names, not keywords


def inlined(schema: Any, defs: dict[str, Any], names: bool = False) -> Any:
    """`schema` with each `$ref` to `#/$defs/...` replaced by its definition and the annotations left
    out. fastjsonschema compiles a `$ref` to a call whose error path is built with `locals()` on every
    call, in a function with thousands of locals: about 80 us a call, 25 calls a study file. A `const`
    becomes a one-value `enum`, so the validator compiles without detailed errors (a quarter of the code)."""
    if isinstance(schema, list):
        return [inlined(x, defs) for x in schema]
    if not isinstance(schema, dict):
        return schema
    if names:
        return {k: inlined(v, defs) for k, v in schema.items()}
    kept = {k: inlined(v, defs, k in NAMED) for k, v in schema.items() if k not in ANNOTATIONS and k != "$defs"}
    if "const" in kept:  # the same as a one-value enum; fastjsonschema's short errors cannot word a const
        kept["enum"] = [kept.pop("const")]
    if "$ref" not in kept:
        return kept
    target = inlined(defs[kept.pop("$ref").removeprefix("#/$defs/")], defs)
    return {"allOf": [target, kept]} if kept else target  # siblings of a $ref apply too (2020-12)


@lru_cache(maxsize=1)
def _fast_validator() -> Callable[[Any], Any]:
    """A compiled validator that only answers 'valid or not'; jsonschema explains the invalid files."""
    import fastjsonschema

    schema = study_schema()
    flat = inlined(schema, schema.get("$defs", {}))
    return fastjsonschema.compile(flat, use_default=False, detailed_exceptions=False)


def schema_valid_fast(data: Any) -> bool:
    import fastjsonschema

    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validate_schema(doc: Document, fast: bool = False) -> list[Problem]:
    """Schema problems of one document; `fast` skips the detailed check when the compiled one passes."""
    if fast and schema_valid_fast(doc.data):
        return []
    problems: list[Problem] = []
    for err in _validator().iter_errors(doc.data):
        problems += _schema_problems(doc, err)
    return problems
