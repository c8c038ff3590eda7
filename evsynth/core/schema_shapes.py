"""The shared shapes the study schema is built from: text, objects, references, counts, durations."""

from __future__ import annotations

from typing import Any

from evsynth.core.limits import LABEL_CHARS, LIST_ITEMS, LONG_TEXT, NUMBER_MAX, SHORT_TEXT
from evsynth.core.values import MONTHS_PER_UNIT

Schema = dict[str, Any]

# A label names a study in page titles, tables, figures (matplotlib reads `$...$` as math) and the
# PDF: no HTML or Markdown syntax and no math, whether typed under `label:` or taken from BibTeX.
LABEL_FORBIDDEN = "<>[](){}$\\`*_|#^~"
# (`$` escaped too: fastjsonschema reads every bare `$`, even in a [...] set, as the end of the text)
LABEL_PATTERN = "^[^" + "".join("\\" + c if c in "[]\\^$" else c for c in LABEL_FORBIDDEN) + "]*$"
# Free text may be long; every other text field is a name, a place or a short phrase.
LONG_FIELDS = {"notes", "note", "ambiguous", "description", "definition", "planned"}

SCHEMA_ID = "https://example.invalid/bone-metastases-evidence/study.schema.json"
DURATION_UNITS = list(MONTHS_PER_UNIT)  # the units a duration may be in: one list, with their months
DOSE_UNITS = ["mg", "g", "µg", "mL", "mg/h", "mg/kg", "mg/m2", "IU"]
DESIGNS = [
    "prospective-case-series",
    "retrospective-case-series",
    "case-series",
    "case-report",
    "comparative",
    "randomised",
    "not-reported",
]
REPORT_KINDS = ["full-text", "abstract", "secondary-table", "secondary-text", "metadata"]
RESPONSE_KINDS = [
    "pain-relief",
    "radiological",
    "neurological",
    "haemostasis",
    "technical-success",
    "clinical-success",
    "overall",
    "other",
]
DURATION_KINDS = ["pain-relief", "response", "survival", "follow-up", "other"]
UNITS_OF_ANALYSIS = [
    "patients",
    "lesions",
    "vertebrae",
    "procedures",
    "embolizations",
    "arteries",
    "tumours",
    "not-stated",
]
SEVERITIES = ["minor", "major", "severe", "not-severe", "not-graded"]


def text(desc: str, **extra: Any) -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": SHORT_TEXT, "description": desc, **extra}


def _sized(props: dict[str, Schema]) -> dict[str, Schema]:
    """Text fields by name: free text (notes...) may be long, labels are short (limits.py)."""
    for name, sub in props.items():
        if sub.get("type") == "string" and "maxLength" in sub:
            sub["maxLength"] = LONG_TEXT if name in LONG_FIELDS else LABEL_CHARS if name == "label" else SHORT_TEXT
    return props


def obj(desc: str, props: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "description": desc,
        "properties": _sized(props),
        "required": required or [],
        "additionalProperties": False,
    }


def ref(name: str, desc: str) -> Schema:
    return {"$ref": f"#/$defs/{name}", "description": desc}


def items(schema: Schema, desc: str, min_items: int = 1, max_items: int = LIST_ITEMS) -> Schema:
    return {"type": "array", "description": desc, "items": schema, "minItems": min_items, "maxItems": max_items}


def _long_form(value: Schema) -> dict[str, Schema]:
    return {
        "value": value,
        "where": text(
            "Where this number was printed, when not where the record's source says (table, figure, page, section)."
        ),
        "printed": text("The number exactly as printed, when it was printed in another form (e.g. '5/16 (30%)')."),
        "note": text("A qualifier the source attaches (a footnote, a condition)."),
        "inferred": text(
            "Set when the number is not printed as such: why and how it was inferred (e.g. the series size taken as "
            "the denominator of a printed percentage). The site marks it as inferred."
        ),
        "ambiguous": text(
            "Why this reading is uncertain (e.g. a table whose columns are misaligned) and which reading was chosen."
        ),
        "unit": {
            "enum": DURATION_UNITS,
            "description": "Unit of this bound, when it differs from the "
            "duration's own unit (e.g. '2 months to 5.5 years').",
        },
    }


def _number_like(json_type: str, minimum: float | None, maximum: float | None, desc: str) -> Schema:
    value: Schema = {"type": json_type}
    if minimum is not None:
        value["minimum"] = minimum
    if maximum is not None:
        value["maximum"] = maximum
    s: Schema = {
        "type": [json_type, "object"],
        "description": desc,
        "properties": _sized(_long_form(value)),
        "required": ["value"],
        "additionalProperties": False,
    }
    if minimum is not None:
        s["minimum"] = minimum
    if maximum is not None:
        s["maximum"] = maximum
    return s


def _year_month(desc: str) -> Schema:
    return {
        "type": ["string", "integer"],
        "pattern": "^[0-9]{4}(-[0-9]{2})?$",
        "minimum": 1900,
        "maximum": 2100,
        "description": desc,
    }


def _source() -> Schema:
    return obj(
        "Which report this record's numbers were read from, and where in it.",
        {
            "report": text("Id of a report listed under `reports:` at the top of the file."),
            "where": text("Table, figure, page or section of that report."),
        },
        ["report"],
    )


def _proportion(desc: str) -> Schema:
    return obj(
        desc,
        {
            "n": ref("count", "How many (a count, not a percentage)."),
            "of": ref("count", "Out of how many (the denominator as printed)."),
            "percent": ref("percent", "The percentage as printed (0-100)."),
            "printed": text("The proportion exactly as printed (e.g. '5/16 (30%)')."),
        },
    )


def _stats(desc: str, kind: str = "number") -> Schema:
    return obj(
        desc,
        {
            k: ref(kind, d)
            for k, d in [
                ("value", "A single value."),
                ("mean", "Mean."),
                ("sd", "Standard deviation."),
                ("median", "Median."),
                ("min", "Lowest value (range start)."),
                ("max", "Highest value (range end)."),
            ]
        }
        | {"note": text("Qualifier."), "printed": text("The values exactly as printed (e.g. '1–7').")},
    )


def _duration_props() -> dict[str, Schema]:
    props = {
        k: ref("nonneg", d)
        for k, d in [
            ("value", "A single duration."),
            ("mean", "Mean."),
            ("sd", "Standard deviation."),
            ("median", "Median."),
            ("min", "Shortest (range start)."),
            ("max", "Longest (range end)."),
        ]
    }
    props["unit"] = {
        "enum": DURATION_UNITS,
        "description": "Unit of the numbers (each may override it); the build normalises every duration to months.",
    }
    return props


def _duration(desc: str) -> Schema:
    return obj(desc, _duration_props() | {"note": text("Qualifier.")}, ["unit"])


def _time_point() -> Schema:
    return {
        "type": ["string", "object"],
        "pattern": "^baseline$",
        "description": "When it was measured: `baseline`, or a time after treatment as {value, unit}.",
        "properties": {
            "value": {"type": "number", "minimum": 0, "maximum": NUMBER_MAX},
            "unit": {"enum": DURATION_UNITS},
        },
        "required": ["value", "unit"],
        "additionalProperties": False,
    }


def _readings(desc: str, props: dict[str, Schema], required: list[str] | None = None) -> Schema:
    base = {"source": ref("source", "Where these numbers were read.")}
    extra = {
        "note": text("Qualifier or comment."),
        "ambiguous": text(
            "Why this record's reading of the source is uncertain, and which reading "
            "was chosen (e.g. a misaligned table column)."
        ),
    }
    return items(obj(desc, base | props | extra, ["source"] + (required or [])), desc)


INDIRECTNESS_DOMAINS = ["population", "intervention", "outcome", "unit"]


def _analysed() -> Schema:
    return obj(
        "The population this outcome was analysed in, when not the whole series: patients treated for pain, "
        "patients with bone metastases within a mixed series, evaluable patients...",
        {"label": text("Who, in your words (e.g. 'patients embolized for pain')."),
         "n": ref("count", "How many, with where it was printed."),
         "note": text("Qualifier.")},
        ["label"],
    )  # fmt: skip


def _indirectness() -> Schema:
    return items(
        obj("One way the study differs from the question (palliation of painful bone metastases).",
            {"domain": {"enum": INDIRECTNESS_DOMAINS, "description": "What differs."},
             "reason": text("How it differs, in your words (e.g. 'mostly pre-operative embolization').")},
            ["domain", "reason"]),
        "Where the population, intervention, outcome or unit of analysis differs from the question.",
    )  # fmt: skip
