"""The JSON Schema of a study file, built from a few shared shapes.

`python build.py schema` writes it to `evidence/study.schema.json`, the copy editors'
tools read (a test fails when that copy is stale). Every property has a description:
the field reference page is generated from them.
"""

from __future__ import annotations

import json
from typing import Any

from evsynth.core.limits import AGE_MAX, COUNT_MAX, LABEL_CHARS, LIST_ITEMS, LONG_TEXT, NUMBER_MAX, ROWS, SHORT_TEXT

Schema = dict[str, Any]

# A label names a study in page titles, tables, figures (matplotlib reads `$...$` as math) and the
# PDF: no HTML or Markdown syntax and no math, whether typed under `label:` or taken from BibTeX.
LABEL_FORBIDDEN = "<>[](){}$\\`*_|#^~"
# (`$` escaped too: fastjsonschema reads every bare `$`, even in a [...] set, as the end of the text)
LABEL_PATTERN = "^[^" + "".join("\\" + c if c in "[]\\^$" else c for c in LABEL_FORBIDDEN) + "]*$"
# Free text may be long; every other text field is a name, a place or a short phrase.
LONG_FIELDS = {"notes", "note", "ambiguous", "description", "definition", "planned"}

SCHEMA_ID = "https://example.invalid/bone-metastases-evidence/study.schema.json"
DURATION_UNITS = ["hours", "days", "weeks", "months", "years"]
DOSE_UNITS = ["mg", "g", "µg", "mL", "mg/h", "mg/kg", "mg/m2", "IU"]
DESIGNS = ["prospective-case-series", "retrospective-case-series", "case-series",
           "case-report", "comparative", "randomised", "not-reported"]
REPORT_KINDS = ["full-text", "abstract", "secondary-table", "secondary-text", "metadata"]
RESPONSE_KINDS = ["pain-relief", "radiological", "neurological", "haemostasis", "technical-success",
                  "clinical-success", "overall", "other"]
DURATION_KINDS = ["pain-relief", "response", "survival", "follow-up", "other"]
UNITS_OF_ANALYSIS = ["patients", "lesions", "vertebrae", "procedures", "embolizations", "arteries", "tumours"]
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
    return {"type": "object", "description": desc, "properties": _sized(props),
            "required": required or [], "additionalProperties": False}


def ref(name: str, desc: str) -> Schema:
    return {"$ref": f"#/$defs/{name}", "description": desc}


def items(schema: Schema, desc: str, min_items: int = 1, max_items: int = LIST_ITEMS) -> Schema:
    return {"type": "array", "description": desc, "items": schema, "minItems": min_items, "maxItems": max_items}


def _long_form(value: Schema) -> dict[str, Schema]:
    return {
        "value": value,
        "where": text("Where this number was printed, when not where the record's source says "
                      "(table, figure, page, section)."),
        "printed": text("The number exactly as printed, when it was printed in another form "
                        "(e.g. '5/16 (30%)')."),
        "note": text("A qualifier the source attaches (a footnote, a condition)."),
        "ambiguous": text("Why this reading is uncertain (e.g. a table whose columns are misaligned) "
                          "and which reading was chosen."),
        "unit": {"enum": DURATION_UNITS, "description": "Unit of this bound, when it differs from the "
                 "duration's own unit (e.g. '2 months to 5.5 years')."},
    }


def _number_like(json_type: str, minimum: float | None, maximum: float | None, desc: str) -> Schema:
    value: Schema = {"type": json_type}
    if minimum is not None:
        value["minimum"] = minimum
    if maximum is not None:
        value["maximum"] = maximum
    s: Schema = {"type": [json_type, "object"], "description": desc,
                 "properties": _sized(_long_form(value)), "required": ["value"], "additionalProperties": False}
    if minimum is not None:
        s["minimum"] = minimum
    if maximum is not None:
        s["maximum"] = maximum
    return s


def _year_month(desc: str) -> Schema:
    return {"type": ["string", "integer"], "pattern": "^[0-9]{4}(-[0-9]{2})?$", "minimum": 1900,
            "maximum": 2100, "description": desc}


def _source() -> Schema:
    return obj("Which report this record's numbers were read from, and where in it.", {
        "report": text("Id of a report listed under `reports:` at the top of the file."),
        "where": text("Table, figure, page or section of that report."),
    }, ["report"])


def _proportion(desc: str) -> Schema:
    return obj(desc, {
        "n": ref("count", "How many (a count, not a percentage)."),
        "of": ref("count", "Out of how many (the denominator as printed)."),
        "percent": ref("percent", "The percentage as printed (0-100)."),
        "printed": text("The proportion exactly as printed (e.g. '5/16 (30%)')."),
    })


def _stats(desc: str, kind: str = "number") -> Schema:
    return obj(desc, {k: ref(kind, d) for k, d in [
        ("value", "A single value."), ("mean", "Mean."), ("sd", "Standard deviation."),
        ("median", "Median."), ("min", "Lowest value (range start)."), ("max", "Highest value (range end)."),
    ]} | {"note": text("Qualifier."), "printed": text("The values exactly as printed (e.g. '1–7').")})


def _duration_props() -> dict[str, Schema]:
    props = {k: ref("nonneg", d) for k, d in [
        ("value", "A single duration."), ("mean", "Mean."), ("sd", "Standard deviation."),
        ("median", "Median."), ("min", "Shortest (range start)."), ("max", "Longest (range end)."),
    ]}
    props["unit"] = {"enum": DURATION_UNITS, "description": "Unit of the numbers (each may override it); "
                     "the build normalises every duration to months."}
    return props


def _duration(desc: str) -> Schema:
    return obj(desc, _duration_props() | {"note": text("Qualifier.")}, ["unit"])


def _time_point() -> Schema:
    return {"type": ["string", "object"], "pattern": "^baseline$",
            "description": "When it was measured: `baseline`, or a time after treatment as {value, unit}.",
            "properties": {"value": {"type": "number", "minimum": 0, "maximum": NUMBER_MAX},
                           "unit": {"enum": DURATION_UNITS}},
            "required": ["value", "unit"], "additionalProperties": False}


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
    report = obj("One report the study's numbers come from.", {
        "citation": text("Key of the BibTeX entry in references/ for this report."),
        "kind": {"enum": REPORT_KINDS, "description": "full-text, abstract, secondary-table (a table in "
                 "another paper), secondary-text (another paper's text) or metadata."},
        "where": text("For a secondary report: the table or page holding this study."),
        "cited_as": text("How this report names the study, when not by its own first author and year "
                         "(e.g. 'Chiras (1998)' in a table)."),
        "note": text("What to know about this report."),
    }, ["citation", "kind"])
    return {"type": "object", "description": "The reports the data come from, by a short id of your "
            "choice (`text`, `abstract`, `table3`): the primary paper's full text, its abstract, or a "
            "table in another paper.", "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]{0,63}$"}, "additionalProperties": report}


def _readings(desc: str, props: dict[str, Schema], required: list[str] | None = None) -> Schema:
    base = {"source": ref("source", "Where these numbers were read.")}
    extra = {"note": text("Qualifier or comment."),
             "ambiguous": text("Why this record's reading of the source is uncertain, and which reading "
                               "was chosen (e.g. a misaligned table column).")}
    return items(obj(desc, base | props | extra,
                     ["source"] + (required or [])), desc)


def _population() -> Schema:
    count = lambda d: ref("count", d)  # noqa: E731
    site = obj("Patients (or lesions) at one site.", {
        "site": text("Site (vocabulary: spine, thoracic-spine, lumbar-spine, sacrum, iliac-bone, iliac-sacrum, ...)."),
        "n": count("How many."), "levels": text("Spinal levels as printed (e.g. 'T9-T11')."),
        "note": text("Qualifier (e.g. a footnote).")}, ["site"])
    primary = obj("Patients with one primary tumour.", {
        "primary": text("Primary tumour (vocabulary: kidney, breast, lung, prostate, ...)."),
        "n": count("Patients."), "solitary": count("With a solitary metastasis."),
        "multiple": count("With multiple metastases."),
        "sites": items(site, "The same patients by site of the treated metastasis."),
        "note": text("Qualifier.")}, ["primary"])
    return _readings("Who was treated, as one report gives it.", {
        "patients": count("Patients in the series."),
        "palliative": count("Of them, treated with palliative intent."),
        "bone_metastases": count("Of them, with bone metastases."),
        "lesions": count("Lesions (metastatic sites) treated."),
        "vertebrae": count("Vertebrae treated."),
        "age": _stats("Age in years.", "age"),
        "sex": obj("Sex counts.", {"male": count("Men."), "female": count("Women.")}),
        "metastases": obj("Solitary or multiple metastases.", {
            "solitary": count("Solitary."), "multiple": count("Multiple (multifocal).")}),
        "sites": items(site, "Treated sites."),
        "primaries": items(primary, "Primary tumours."),
        "characteristics": items(obj("A count of patients with a characteristic.", {
            "label": text("The characteristic, in your words."), "n": count("How many."),
            "note": text("Qualifier.")}, ["label"]), "Other baseline characteristics."),
    })


def _patients_table() -> Schema:
    row = obj("One patient as the paper prints them.", {
        "no": {"type": "integer", "minimum": 1, "maximum": COUNT_MAX, "description": "Patient number as printed."},
        "sex": {"enum": ["M", "F"], "description": "M or F."},
        "age": {"type": "integer", "minimum": 0, "maximum": AGE_MAX, "description": "Age in years."},
        "primary": text("Primary tumour (vocabulary)."),
        "location": text("Location of the treated metastasis, as printed."),
        "sites": items(text("Site (vocabulary)."), "The location as vocabulary sites."),
        "levels": text("Spinal levels as printed."),
        "note": text("Qualifier.")}, ["no"])
    return obj("Patient-level rows, when the paper prints them.", {
        "source": ref("source", "Where the table is."), "rows": items(row, "The rows, in order.", max_items=ROWS)},
        ["source", "rows"])


def _intervention() -> Schema:
    count = lambda d: ref("count", d)  # noqa: E731
    dose = obj("A dose.", {k: ref("nonneg", d) for k, d in [
        ("value", "Dose."), ("min", "Lowest."), ("max", "Highest."), ("mean", "Mean.")]}
        | {"unit": {"enum": DOSE_UNITS, "description": "Unit of the dose."}}, ["unit"])
    drug = obj("A drug given, with its dose.", {
        "drug": text("Drug (vocabulary; brand names and synonyms are accepted)."),
        "role": {"enum": ["anticancer", "sedation", "anaesthetic", "premedication", "other"],
                 "description": "What it was for."},
        "route": {"enum": ["chemoembolization", "intra-arterial infusion", "intravenous", "local", "oral",
                           "not-reported"], "description": "How it was given."},
        "form": text("Formulation (e.g. microcapsules)."),
        "dose": dose,
        "per": {"enum": ["procedure", "artery", "patient", "hour", "bolus", "course"],
                "description": "What the dose is per."},
        "condition": text("When this dose applies (e.g. arteries of 4 mm or more)."),
        "source": ref("source", "Where this was read, when not the intervention's source."),
        "note": text("Qualifier.")}, ["drug"])
    embolic = obj("Embolic material used (a mixture when several agents are listed).", {
        "agents": items(text("Agent (vocabulary; brand names accepted)."), "Agents in this material."),
        "size_um": _stats("Particle size in micrometres."),
        "form": text("Form (particles, foam, ...)."),
        "mixed_with": items(text("Drug (vocabulary)."), "Drugs mixed with it."),
        "patients": count("Patients it was used in."), "vertebrae": count("Vertebrae it was used in."),
        "procedures": count("Procedures it was used in."),
        "source": ref("source", "Where this was read, when not the intervention's source."),
        "note": text("Qualifier.")}, ["agents"])
    group = obj("A count of patients or vertebrae by some aspect of the procedure.", {
        "label": text("The aspect, in your words."), "patients": count("Patients."),
        "vertebrae": count("Vertebrae."), "procedures": count("Procedures."),
        "note": text("Qualifier.")}, ["label"])
    cement = obj("Bone cement used in vertebroplasty.", {
        "material": text("Cement (e.g. PMMA)."),
        "volumes": items(obj("Cement volume in mL for one group of levels.", {
            "label": text("Which levels (e.g. thoracic)."), "mean": ref("nonneg", "Mean mL."),
            "sd": ref("nonneg", "SD."), "min": ref("nonneg", "Lowest."), "max": ref("nonneg", "Highest.")},
            ["label"]), "Volumes injected."),
        "note": text("Qualifier.")})
    return obj("What was done.", {
        "source": ref("source", "Where the procedure is described."),
        "category": text("Intervention (vocabulary: TAE, TACE, TAI, TACE+TAI, PVP, PVP+TACE, PVP+TAI/TACE)."),
        "description": text("The procedure in one or two sentences of your own."),
        "sequence": text("Order and timing of combined steps."),
        "access": text("Vascular or needle access."),
        "anaesthesia": text("Anaesthesia or sedation, in words."),
        "embolics": items(embolic, "Embolic materials."),
        "drugs": items(drug, "Drugs: anticancer agents, sedation, premedication."),
        "breakdown": items(group, "Counts by some aspect of the procedure (bilateral or unilateral "
                           "arteries, infusion only, ...)."),
        "aims": items(group, "Aims of the procedures, with counts."),
        "cement": cement,
        "note": text("Qualifier.")}, ["source", "category"])


def _procedures() -> Schema:
    return _readings("How many procedures, as one report gives it.", {
        "total": ref("count", "Procedures in the whole series."),
        "per_patient": _stats("Procedures per patient."),
        "planned": text("The planned protocol, in your words."),
        "interval": _duration("Time between procedures."),
        "arteries_per_procedure": _stats("Arteries treated per procedure."),
    })


def _category() -> Schema:
    return obj("One response category as the paper defines it.", {
        "name": text("The category's name as the paper uses it."),
        "definition": text("The paper's definition, in your words."),
        "n": ref("count", "How many."), "percent": ref("percent", "Percentage as printed."),
        "response": {"type": "boolean", "description": "true when the paper counts it as a response."},
        "note": text("Qualifier.")}, ["name"])


def _responses() -> Schema:
    return _readings("A response outcome (pain relief, imaging, ...) at one time point.", {
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
        "exhaustive": {"type": "boolean", "description": "true when the categories cover everyone evaluated "
                       "(their counts must then add up to it)."},
        "p_value": text("P value as printed (e.g. '< 0.05')."),
    }, ["kind"])


def _scores() -> Schema:
    point = obj("The score at one time point.", {
        "time_point": ref("time_point", "When."),
        "n": ref("count", "Patients measured, if printed."),
        "mean": ref("number", "Mean."), "sd": ref("nonneg", "SD."), "median": ref("number", "Median."),
        "min": ref("number", "Lowest."), "max": ref("number", "Highest."),
        "change": obj("Change from baseline as printed.", {
            "mean": ref("number", "Mean change."), "sd": ref("nonneg", "SD of the change.")}),
        "note": text("Qualifier.")}, ["time_point"])
    return _readings("A score (pain, function) measured over time.", {
        "domain": {"enum": ["pain", "function", "quality-of-life", "other"], "description": "What it measures."},
        "scale": text("The instrument (e.g. VAS, modified Barthel index)."),
        "label": text("What was scored (e.g. back pain)."),
        "scale_range": obj("The scale's range and which end is better.", {
            "min": {"type": "number", "minimum": -NUMBER_MAX, "maximum": NUMBER_MAX,
                    "description": "The lowest score possible."},
            "max": {"type": "number", "minimum": -NUMBER_MAX, "maximum": NUMBER_MAX,
                    "description": "The highest score possible."},
            "better": {"enum": ["higher", "lower"], "description": "Which end is better."}}),
        "n": ref("count", "Patients measured."),
        "points": items(point, "The score at each time point."),
        "p_value": text("P value as printed."),
    }, ["domain", "scale", "points"])


def _durations() -> Schema:
    return _readings("A duration: of pain relief, response, survival, follow-up.", {
        "kind": {"enum": DURATION_KINDS, "description": "What lasted."},
        "label": text("Short name shown on the site."),
        **_duration_props(),
        "alive": _proportion("Patients alive at last follow-up."),
    }, ["kind", "unit"])


def _complications() -> Schema:
    return _readings("A complication or adverse event (a count of 0 when the paper says none).", {
        "event": text("What happened, in your words."),
        "n": ref("count", "How many (0 when the paper says there were none)."),
        "of": ref("count", "Out of how many."),
        "percent": ref("percent", "Percentage as printed."),
        "per": {"enum": UNITS_OF_ANALYSIS, "description": "Unit counted (default patients)."},
        "severity": {"enum": SEVERITIES, "description": "Severity as the paper grades it."},
        "outcome": text("What became of it (e.g. resolved without treatment)."),
        "duration": _duration("How long it lasted."),
    }, ["event"])


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
            "id": text("The study id: equal to the file name without .yaml (author-year, lower case).",
                       pattern="^[a-z0-9][a-z0-9-]{0,63}$"),
            "label": text("How the site names the study (e.g. 'Chiras 2004'); by default from the citation. "
                          "No markup or math: none of " + LABEL_FORBIDDEN + " (it becomes the page's title).",
                          pattern=LABEL_PATTERN),
            "citation": text("Key of the study's main BibTeX entry in references/."),
            "reports": _reports(),
            "extraction": obj("Who extracted the data, when, and how far.", {
                "status": {"enum": ["complete", "partial", "citation-only"],
                           "description": "complete: everything the reports give is here; partial: some; "
                           "citation-only: only the reference."},
                "by": text("Who extracted it."),
                "date": text("Date of extraction, quoted: \"YYYY-MM-DD\".", pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
                "checked_by": text("Who checked it against the source."),
                "notes": text("What was hard or left out, and why.")}, ["status", "by", "date"]),
            "design": obj("How the study was done.", {
                "source": ref("source", "Where the design is described."),
                "type": {"enum": DESIGNS, "description": "Study design as the paper states it; "
                         "`case-series` when it does not say prospective or retrospective."},
                "period": obj("When patients were treated.", {
                    "start": _year_month("First month or year of treatment: YYYY or \"YYYY-MM\"."),
                    "end": _year_month("Last month or year of treatment: YYYY or \"YYYY-MM\".")}),
                "centres": items(text("Centre name and city."), "Where it was done."),
                "consecutive": {"type": "boolean", "description": "true when the paper says consecutive patients."},
                "note": text("Qualifier.")}, ["source", "type"]),
            "population": _population(),
            "patients_table": _patients_table(),
            "intervention": _intervention(),
            "procedures": _procedures(),
            "responses": _responses(),
            "scores": _scores(),
            "durations": _durations(),
            "complications": _complications(),
            "not_reported": items(text("Something the reports do not give."),
                                  "What the sources do not report (shown on the site as gaps)."),
            "notes": text("Anything else a reader should know, in your words."),
        },
    }
    _sized(whole["properties"])
    return whole


def schema_json() -> str:
    return json.dumps(study_schema(), indent=2, ensure_ascii=False) + "\n"
