"""The study schema's larger sections: population, patient rows, intervention, procedures."""

from __future__ import annotations

from evsynth.core.limits import AGE_MAX, COUNT_MAX, ROWS
from evsynth.core.schema_shapes import DOSE_UNITS, Schema, _duration, _readings, _stats, items, obj, ref, text


def _site() -> Schema:
    return obj(
        "Patients (or lesions) at one site.",
        {
            "site": text(
                "Site (vocabulary: spine, thoracic-spine, lumbar-spine, sacrum, iliac-bone, iliac-sacrum, ...)."
            ),
            "n": ref("count", "How many."),
            "levels": text("Spinal levels as printed (e.g. 'T9-T11')."),
            "note": text("Qualifier (e.g. a footnote)."),
        },
        ["site"],
    )


def _population() -> Schema:
    site = _site()
    primary = obj(
        "Patients with one primary tumour.",
        {
            "primary": text("Primary tumour (vocabulary: kidney, breast, lung, prostate, ...)."),
            "n": ref("count", "Patients."),
            "solitary": ref("count", "With a solitary metastasis."),
            "multiple": ref("count", "With multiple metastases."),
            "sites": items(site, "The same patients by site of the treated metastasis."),
            "note": text("Qualifier."),
        },
        ["primary"],
    )
    return _readings(
        "Who was treated, as one report gives it.",
        {
            "patients": ref("count", "Patients in the series."),
            "palliative": ref("count", "Of them, treated with palliative intent."),
            "bone_metastases": ref("count", "Of them, with bone metastases."),
            "lesions": ref("count", "Lesions (metastatic sites) treated."),
            "vertebrae": ref("count", "Vertebrae treated."),
            "age": _stats("Age in years.", "age"),
            "sex": obj("Sex counts.", {"male": ref("count", "Men."), "female": ref("count", "Women.")}),
            "metastases": obj(
                "Solitary or multiple metastases.",
                {
                    "solitary": ref("count", "Solitary."),
                    "multiple": ref("count", "Multiple (multifocal)."),
                    "sites": ref("count", "Metastatic sites in all, when printed (e.g. '25 of 28 metastatic sites')."),
                },
            ),
            "sites": items(site, "Treated sites."),
            "primaries": items(primary, "Primary tumours."),
            "characteristics": items(
                obj(
                    "A count of patients with a characteristic.",
                    {
                        "label": text("The characteristic, in your words."),
                        "n": ref("count", "How many."),
                        "note": text("Qualifier."),
                    },
                    ["label"],
                ),
                "Other baseline characteristics.",
            ),
        },
    )


def _patients_table() -> Schema:
    row = obj(
        "One patient as the paper prints them.",
        {
            "no": {"type": "integer", "minimum": 1, "maximum": COUNT_MAX, "description": "Patient number as printed."},
            "sex": {"enum": ["M", "F"], "description": "M or F."},
            "age": {"type": "integer", "minimum": 0, "maximum": AGE_MAX, "description": "Age in years."},
            "primary": text("Primary tumour (vocabulary)."),
            "location": text("Location of the treated metastasis, as printed."),
            "sites": items(text("Site (vocabulary)."), "The location as vocabulary sites."),
            "levels": text("Spinal levels as printed."),
            "note": text("Qualifier."),
        },
        ["no"],
    )
    return obj(
        "Patient-level rows, when the paper prints them.",
        {"source": ref("source", "Where the table is."), "rows": items(row, "The rows, in order.", max_items=ROWS)},
        ["source", "rows"],
    )


def _dose() -> Schema:
    return obj(
        "A dose.",
        {
            k: ref("nonneg", d)
            for k, d in [("value", "Dose."), ("min", "Lowest."), ("max", "Highest."), ("mean", "Mean.")]
        }
        | {"unit": {"enum": DOSE_UNITS, "description": "Unit of the dose."}},
        ["unit"],
    )


def _drug() -> Schema:
    return obj(
        "A drug given, with its dose.",
        {
            "drug": text("Drug (vocabulary; brand names and synonyms are accepted)."),
            "role": {
                "enum": ["anticancer", "sedation", "anaesthetic", "premedication", "other"],
                "description": "What it was for.",
            },
            "route": {
                "enum": [
                    "chemoembolization",
                    "intra-arterial infusion",
                    "intravenous",
                    "local",
                    "oral",
                    "not-reported",
                ],
                "description": "How it was given.",
            },
            "form": text("Formulation (e.g. microcapsules)."),
            "dose": _dose(),
            "per": {
                "enum": ["procedure", "artery", "patient", "hour", "bolus", "course"],
                "description": "What the dose is per.",
            },
            "condition": text("When this dose applies (e.g. arteries of 4 mm or more)."),
            "case": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9-]{0,63}$",
                "description": "The described patient (its `name` under `cases:`) this dose was given to.",
            },
            "printed_as": items(
                text("A name as printed."),
                "Every name the paper prints for this drug (generic, brand, abbreviation), as printed.",
            ),
            "source": ref("source", "Where this was read, when not the intervention's source."),
            "note": text("Qualifier."),
        },
        ["drug"],
    )


def _embolic() -> Schema:
    return obj(
        "Embolic material used (a mixture when several agents are listed).",
        {
            "agents": items(text("Agent (vocabulary; brand names accepted)."), "Agents in this material."),
            "size_um": _stats("Particle size in micrometres."),
            "form": text("Form (particles, foam, ...)."),
            "mixed_with": items(text("Drug (vocabulary)."), "Drugs mixed with it."),
            "patients": ref("count", "Patients it was used in."),
            "vertebrae": ref("count", "Vertebrae it was used in."),
            "procedures": ref("count", "Procedures it was used in."),
            "source": ref("source", "Where this was read, when not the intervention's source."),
            "note": text("Qualifier."),
        },
        ["agents"],
    )


def _cement() -> Schema:
    return obj(
        "Bone cement used in vertebroplasty.",
        {
            "material": text("Cement (e.g. PMMA)."),
            "volumes": items(
                obj(
                    "Cement volume in mL for one group of levels.",
                    {
                        "label": text("Which levels (e.g. thoracic)."),
                        "mean": ref("nonneg", "Mean mL."),
                        "sd": ref("nonneg", "SD."),
                        "min": ref("nonneg", "Lowest."),
                        "max": ref("nonneg", "Highest."),
                    },
                    ["label"],
                ),
                "Volumes injected.",
            ),
            "note": text("Qualifier."),
        },
    )


def _intervention() -> Schema:
    embolic, drug, cement = _embolic(), _drug(), _cement()
    group = obj(
        "A count of patients or vertebrae by some aspect of the procedure.",
        {
            "label": text("The aspect, in your words."),
            "patients": ref("count", "Patients."),
            "vertebrae": ref("count", "Vertebrae."),
            "procedures": ref("count", "Procedures."),
            "note": text("Qualifier."),
        },
        ["label"],
    )
    return obj(
        "What was done.",
        {
            "source": ref("source", "Where the procedure is described."),
            "category": text("Intervention (vocabulary: TAE, TACE, TAI, TACE+TAI, PVP, PVP+TACE, PVP+TAI/TACE)."),
            "description": text("The procedure in one or two sentences of your own."),
            "sequence": text("Order and timing of combined steps."),
            "access": text("Vascular or needle access."),
            "anaesthesia": text("Anaesthesia or sedation, in words."),
            "embolics": items(embolic, "Embolic materials."),
            "drugs": items(drug, "Drugs: anticancer agents, sedation, premedication."),
            "breakdown": items(
                group, "Counts by some aspect of the procedure (bilateral or unilateral arteries, infusion only, ...)."
            ),
            "aims": items(group, "Aims of the procedures, with counts."),
            "cement": cement,
            "note": text("Qualifier."),
        },
        ["source", "category"],
    )


def _procedures() -> Schema:
    return _readings(
        "How many procedures, as one report gives it.",
        {
            "total": ref("count", "Procedures in the whole series."),
            "per_patient": _stats("Procedures per patient."),
            "planned": text("The planned protocol, in your words."),
            "planned_per_patient": _stats(
                "Planned procedures per patient (the protocol): {min: 3} for 'three or more'."
            ),
            "interval": _duration("Time between procedures."),
            "arteries_per_procedure": _stats("Arteries treated per procedure."),
        },
    )


def _cases() -> Schema:
    return _readings(
        "A patient the paper describes individually (a figure legend, a case in the text), as printed there.",
        {
            "name": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9-]{0,63}$",
                "description": "A short name of your choice (e.g. figure-1); doses given to this patient name it.",
            },
            "row": {
                "type": "integer",
                "minimum": 1,
                "maximum": COUNT_MAX,
                "description": "The patient row the paper itself links this patient to (never a guess).",
            },
            "age": ref("age", "Age in years, as printed here."),
            "sex": {"enum": ["M", "F"], "description": "M or F."},
            "primary": text("Primary tumour (vocabulary)."),
            "sites": items(text("A site (vocabulary)."), "Sites of the treated metastasis."),
            "levels": text("Spinal levels as printed (e.g. 'L4-L5')."),
            "sessions": ref("count", "Treatment sessions this patient had, as printed."),
            "follow_up": _duration("How long after treatment this patient was last described."),
            "outcome": text("What became of the patient, in your words."),
        },
        ["name"],
    )
