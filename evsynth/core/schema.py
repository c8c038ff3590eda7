"""The JSON Schema of a study file, built from a few shared shapes.

`python build.py schema` writes it to `evidence/study.schema.json`, the copy editors'
tools read (a test fails when that copy is stale). Every property has a description:
the field reference page is generated from them.
"""

from __future__ import annotations

import json

from evsynth.core.limits import AGE_MAX, COUNT_MAX, NUMBER_MAX
from evsynth.core.schema_sections import _cases, _intervention, _patients_table, _population, _procedures
from evsynth.core.schema_shapes import (
    DESIGNS,
    DURATION_KINDS,
    LABEL_FORBIDDEN,
    LABEL_PATTERN,
    REPORT_KINDS,
    RESPONSE_KINDS,
    SCHEMA_ID,
    SEVERITIES,
    UNITS_OF_ANALYSIS,
    Schema,
    _analysed,
    _duration,
    _duration_props,
    _indirectness,
    _number_like,
    _proportion,
    _readings,
    _sized,
    _source,
    _time_point,
    _year_month,
    items,
    obj,
    ref,
    text,
)


def _defs() -> Schema:
    return {
        "count": _number_like("integer", 0, COUNT_MAX, "A count: a whole number, or {value: N, where:, note:, ...}."),
        "number": _number_like("number", -NUMBER_MAX, NUMBER_MAX, "A number, or {value: X, where:, note:, ...}."),
        "nonneg": _number_like("number", 0, NUMBER_MAX, "A number >= 0, or {value: X, where:, note:, ...}."),
        "age": _number_like("number", 0, AGE_MAX, "An age in years (0-120), or {value: X, where:, note:, ...}."),
        "percent": _number_like("number", 0, 100, "A percentage 0-100, or {value: X, printed:, ...}."),
        "source": _source(),
        "time_point": _time_point(),
    }


def _reports() -> Schema:
    report = obj(
        "One report the study's numbers come from.",
        {
            "citation": text("Key of the BibTeX entry in references/ for this report."),
            "kind": {
                "enum": REPORT_KINDS,
                "description": "full-text, abstract, secondary-table (a table in "
                "another paper), secondary-text (another paper's text) or metadata.",
            },
            "where": text("For a secondary report: the table or page holding this study."),
            "cited_as": text(
                "How this report names the study, when not by its own first author and year "
                "(e.g. 'Chiras (1998)' in a table)."
            ),
            "address": {
                "type": "string",
                "maxLength": 2000,
                "pattern": "^https?://[^\\s<>\"'`\\\\]+$",
                "description": "The address (http or https) of the page that was read: the abstract "
                "or article page these numbers were taken from.",
            },
            "partial": {
                "type": "boolean",
                "description": "true when the page that was read is cut off (an abstract that stops "
                "mid-sentence): it was extracted as far as it goes.",
            },
            "note": text("What to know about this report."),
        },
        ["citation", "kind"],
    )
    return {
        "type": "object",
        "description": "The reports the data come from, by a short id of your "
        "choice (`text`, `abstract`, `table3`): the primary paper's full text, its abstract, or a "
        "table in another paper.",
        "minProperties": 1,
        "propertyNames": {"pattern": "^[a-z][a-z0-9-]{0,63}$"},
        "additionalProperties": report,
    }


def _category() -> Schema:
    return obj(
        "One response category as the paper defines it.",
        {
            "name": text("The category's name as the paper uses it."),
            "definition": text("The paper's definition, in your words."),
            "n": ref("count", "How many."),
            "percent": ref("percent", "Percentage as printed."),
            "response": {"type": "boolean", "description": "true when the paper counts it as a response."},
            "note": text("Qualifier."),
        },
        ["name"],
    )


def _responses() -> Schema:
    return _readings(
        "A response outcome (pain relief, imaging, ...) at one time point.",
        {
            "kind": {"enum": RESPONSE_KINDS, "description": "What kind of response."},
            "label": text("Short name shown on the site (e.g. 'significant pain relief')."),
            "definition": text("The paper's definition of a responder, in your words."),
            "criterion": text("Instrument or criterion (e.g. analgesic use, VAS, CT/MRI)."),
            "time_point": ref("time_point", "When it was assessed."),
            "timing": text("When it was assessed, in words, if not a fixed time."),
            "per": {"enum": UNITS_OF_ANALYSIS, "description": "Unit of analysis (default patients)."},
            "evaluated": _proportion("How many were evaluated (n), of how many treated (of)."),
            "responders": _proportion("Responders (n) of those evaluated (of)."),
            "categories": items(_category(), "Response categories with their counts."),
            "exhaustive": {
                "type": "boolean",
                "description": "true when the categories cover everyone evaluated "
                "(their counts must then add up to it).",
            },
            "p_value": text("P value as printed (e.g. '< 0.05')."),
            "analysed": _analysed(),
            "indirectness": _indirectness(),
        },
        ["kind"],
    )


def _score_point() -> Schema:
    return obj(
        "The score at one time point.",
        {
            "time_point": ref("time_point", "When."),
            "n": ref("count", "Patients measured, if printed."),
            "mean": ref("number", "Mean."),
            "sd": ref("nonneg", "SD."),
            "median": ref("number", "Median."),
            "se": ref("nonneg", "Standard error, when the paper prints it instead of the SD."),
            "q1": ref("number", "First quartile (with q3: the interquartile range)."),
            "q3": ref("number", "Third quartile."),
            "min": ref("number", "Lowest."),
            "max": ref("number", "Highest."),
            "change": obj(
                "Change from baseline as printed.",
                {"mean": ref("number", "Mean change."), "sd": ref("nonneg", "SD of the change.")},
            ),
            "note": text("Qualifier."),
        },
        ["time_point"],
    )


def _scores() -> Schema:
    point = _score_point()
    return _readings(
        "A score (pain, function) measured over time.",
        {
            "domain": {"enum": ["pain", "function", "quality-of-life", "other"], "description": "What it measures."},
            "scale": text("The instrument (e.g. VAS, modified Barthel index)."),
            "label": text("What was scored (e.g. back pain)."),
            "scale_range": obj(
                "The scale's range and which end is better.",
                {
                    "min": {
                        "type": "number",
                        "minimum": -NUMBER_MAX,
                        "maximum": NUMBER_MAX,
                        "description": "The lowest score possible.",
                    },
                    "max": {
                        "type": "number",
                        "minimum": -NUMBER_MAX,
                        "maximum": NUMBER_MAX,
                        "description": "The highest score possible.",
                    },
                    "better": {"enum": ["higher", "lower"], "description": "Which end is better."},
                    "integer": {
                        "type": "boolean",
                        "description": "true when every score is a whole number (an 11-point NRS, a "
                        "Likert item), as the paper or the instrument states.",
                    },
                },
            ),
            "n": ref("count", "Patients measured."),
            "points": items(point, "The score at each time point."),
            "p_value": text("P value as printed."),
            "analysed": _analysed(),
            "indirectness": _indirectness(),
        },
        ["domain", "scale", "points"],
    )


def _durations() -> Schema:
    return _readings(
        "A duration: of pain relief, response, survival, follow-up.",
        {
            "kind": {"enum": DURATION_KINDS, "description": "What lasted."},
            "label": text("Short name shown on the site."),
            **_duration_props(),
            "alive": _proportion("Patients alive at last follow-up."),
        },
        ["kind", "unit"],
    )


def _complications() -> Schema:
    return _readings(
        "A complication or adverse event (a count of 0 when the paper says none).",
        {
            "event": text("What happened, in your words."),
            "n": ref("count", "How many (0 when the paper says there were none)."),
            "of": ref("count", "Out of how many."),
            "percent": ref("percent", "Percentage as printed."),
            "per": {"enum": UNITS_OF_ANALYSIS, "description": "Unit counted (default patients)."},
            "severity": {"enum": SEVERITIES, "description": "Severity as the paper grades it."},
            "outcome": text("What became of it (e.g. resolved without treatment)."),
            "duration": _duration("How long it lasted."),
        },
        ["event"],
    )


def _extraction() -> Schema:
    return obj(
        "Who extracted the data, when, and how far.",
        {
            "status": {
                "enum": ["complete", "partial", "citation-only"],
                "description": "complete: everything the reports give is here; partial: some; "
                "citation-only: only the reference.",
            },
            "by": text("Who extracted it."),
            "date": text('Date of extraction, quoted: "YYYY-MM-DD".', pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
            "checked_by": text("Who checked it against the source."),
            "notes": text("What was hard or left out, and why."),
        },
        ["status", "by", "date"],
    )


def _design() -> Schema:
    return obj(
        "How the study was done.",
        {
            "source": ref("source", "Where the design is described."),
            "type": {
                "enum": DESIGNS,
                "description": "Study design as the paper states it; "
                "`case-series` when it does not say prospective or retrospective.",
            },
            "period": obj(
                "When patients were treated.",
                {
                    "start": _year_month('First month or year of treatment: YYYY or "YYYY-MM".'),
                    "end": _year_month('Last month or year of treatment: YYYY or "YYYY-MM".'),
                },
            ),
            "centres": items(text("Centre name and city."), "Where it was done."),
            "consecutive": {"type": "boolean", "description": "true when the paper says consecutive patients."},
            "note": text("Qualifier."),
        },
        ["source", "type"],
    )


def study_schema() -> Schema:
    """The whole schema of a study file."""
    whole: Schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Study file of the bone-metastases evidence base",
        "description": "One published series: what its reports say, every number with where it was printed.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "id", "citation", "reports", "extraction", "design", "intervention"],
        "$defs": _defs(),
        "properties": {
            "schema_version": {"const": 1, "description": "Version of this schema (1)."},
            "id": text(
                "The study id: equal to the file name without .yaml (author-year, lower case).",
                pattern="^[a-z0-9][a-z0-9-]{0,63}$",
            ),
            "label": text(
                "How the site names the study (e.g. 'Chiras 2004'); by default from the citation. "
                "No markup or math: none of " + LABEL_FORBIDDEN + " (it becomes the page's title).",
                pattern=LABEL_PATTERN,
            ),
            "citation": text("Key of the study's main BibTeX entry in references/."),
            "reports": _reports(),
            "extraction": _extraction(),
            "design": _design(),
            "population": _population(),
            "patients_table": _patients_table(),
            "intervention": _intervention(),
            "procedures": _procedures(),
            "responses": _responses(),
            "scores": _scores(),
            "durations": _durations(),
            "complications": _complications(),
            "cases": _cases(),
            "indirectness": _indirectness(),
            "not_reported": items(
                text("Something the reports do not give."),
                "What the sources do not report (shown on the site as gaps).",
            ),
            "notes": text("Anything else a reader should know, in your words."),
        },
    }
    _sized(whole["properties"])
    return whole


def schema_json() -> str:
    return json.dumps(study_schema(), indent=2, ensure_ascii=False) + "\n"
