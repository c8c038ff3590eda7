"""What a study page prints before its details: the key results, how the study was read, and
whether its patient rows are collapsed.

Every number keeps its provenance (`views.val`, `views.prop`, `views.dur`); every string from the
study file goes through the escaping boundary. Missing results say "not reported".
"""

from __future__ import annotations

from markupsafe import Markup

from evsynth.core.escape import page_url
from evsynth.core.model import Report, Study
from evsynth.core.records import Complication, Duration, Point, Response, Score, TimePoint
from evsynth.render.views import NOT_REPORTED, dur, md, prop, time_point, val

# More patient rows than this are shown collapsed on screen (the PDF prints them all).
COLLAPSE_ROWS = 10

# How each kind of report was read, as a reader would say it.
KIND_WORDS = {
    "full-text": "full text",
    "abstract": "abstract only",
    "secondary-table": "a table in another paper",
    "secondary-text": "the text of another paper",
    "metadata": "article information only",
}


def read_as(study: Study) -> dict[str, str]:
    """How each report (by id) was read; a study's own table or text is not 'another paper'."""
    own = {"secondary-table": "a summary table in the paper itself", "secondary-text": "the paper's own text"}
    said = {
        rid: own[r.kind] if r.kind in own and r.citation == study.citation else KIND_WORDS.get(r.kind, r.kind)
        for rid, r in study.reports.items()
    }
    return {
        rid: f"{said[rid]} (cut off: read as far as it goes)" if r.partial else said[rid]
        for rid, r in study.reports.items()
    }


def pages_read(study: Study) -> dict[str, str]:
    """The address of the page each report (by id) was read from, when one is recorded."""
    return {rid: url for rid, r in study.reports.items() if (url := page_url(r.address)) is not None}


def _name(r: Report) -> str:
    return f"{r.citation_label or r.citation}, {r.where}" if r.where else r.citation_label or r.citation


def _phrase(r: Report) -> str:
    """One report as part of a sentence: 'the abstract of Tian 2017'."""
    label = r.citation_label or r.citation
    where = f" ({r.where})" if r.where else ""
    return {
        "full-text": f"the full text of {label}",
        "abstract": f"the abstract of {label}",
        "secondary-table": f"a table in {label}{where}",
        "secondary-text": f"the text of {label}{where}",
        "metadata": f"the article information of {label}",
    }.get(r.kind, f"{label}{where}")


def _lead(reports: list[Report]) -> tuple[str, list[Report]]:
    """The sentence's main clause and the reports it names."""
    full = [r for r in reports if r.kind == "full-text"]
    if full:
        return f"Read in full text ({'; '.join(map(_name, full))})", full
    abstract = [r for r in reports if r.kind == "abstract"]
    if abstract:
        return f"Read from the abstract only ({'; '.join(map(_name, abstract))}), not the full text", abstract
    second = [r for r in reports if r.kind.startswith("secondary")]
    if second:
        kinds = {r.kind for r in second}
        what = "table" if kinds == {"secondary-table"} else "text" if kinds == {"secondary-text"} else "table and text"
        names = "; ".join(map(_name, second))
        return f"Not read directly: known only through another paper's {what} ({names})", second
    return "Only the article information was read, not the abstract or the full text", reports


def how_read(study: Study) -> str:
    """One sentence: how the study was read (full text, abstract, another paper's table...)."""
    reports = list(study.reports.values())
    lead, named = _lead(reports)
    others = [_phrase(r) for r in reports if r not in named]
    return lead + (f"; also {' and '.join(others)}" if others else "") + "."


def _when(r: Response) -> Markup:
    if isinstance(r.time_point, TimePoint):
        return Markup(f"at {time_point(r)}")
    return md(f"when: {r.timing}") if r.timing else Markup("time point not stated")


def _pain_response(r: Response) -> Markup:
    label = md(r.label or "pain relief")
    unit = f" (per {md(r.per)})" if r.per not in (None, "patients", "not-stated") else ""
    unit = " (unit not stated)" if r.per == "not-stated" else unit
    count = prop(r.responders) if r.responders is not None else NOT_REPORTED
    return Markup(f"{label}{unit}: {count} ({_when(r)})")


def _score(sc: Score) -> Markup:
    with_mean = [p for p in sc.points if p.mean is not None]
    before = next((p for p in with_mean if p.time_point == "baseline"), None)
    after = [p for p in with_mean if p is not before]
    scale = md(sc.scale) + (md(f" ({sc.label})") if sc.label else "")
    if sc.scale_range is not None and sc.scale_range.min is not None and sc.scale_range.max is not None:
        scale += md(f" {sc.scale_range.min:g}–{sc.scale_range.max:g}")
    then = ", ".join(f"{val(p.mean)} {_point_when(p)}" for p in after) or NOT_REPORTED
    start = f"{val(before.mean)} before" if before is not None else "before: not reported"
    return Markup(f"{scale}: {start} → {then}")


def _point_when(p: Point) -> Markup:
    return Markup(f"at {time_point(p)}") if isinstance(p.time_point, TimePoint) else Markup("(time not stated)")


def _complication(c: Complication) -> Markup:
    if c.n is not None:
        count = val(c.n) + (Markup(f"/{val(c.of)}") if c.of is not None else Markup(""))
    elif c.percent is not None:
        count = val(c.percent, "%") + (Markup(f" of {val(c.of)}") if c.of is not None else Markup(""))
    else:
        count = NOT_REPORTED
    unit = f" {md(c.per)}" if c.per not in (None, "patients", "not-stated") else ""
    serious = " (serious)" if c.seriousness == "serious" else ""
    return Markup(f"{md(c.event)}{serious}: {count}{unit}")


def _joined(items: list[Markup]) -> Markup:
    """One item, or several one a line."""
    return Markup("<br>".join(items)) if items else NOT_REPORTED


def key_results(study: Study) -> list[tuple[str, Markup]]:
    """(label, value) rows of the key-results box, each number with its provenance."""
    patients = next((p.patients for p in study.population if p.patients is not None), None)
    relief = [d for d in study.durations if d.kind == "pain-relief"]
    return [
        ("Patients", val(patients)),
        ("Pain response", _joined([_pain_response(r) for r in study.responses if r.kind == "pain-relief"])),
        ("Pain score, before → after", _joined([_score(sc) for sc in study.scores if sc.domain == "pain"])),
        ("Duration of pain relief", _joined([_duration(d) for d in relief])),
        ("Complications", _joined([_complication(c) for c in study.complications])),
    ]


def _duration(d: Duration) -> Markup:
    text = dur(d, d.source)
    return Markup(f"{md(d.label)}: {text}") if d.label else text


def patient_rows_toggle(study: Study) -> str | None:
    """The label of the control that shows the patient rows, when they are long enough to be collapsed."""
    rows = study.patients_table.rows if study.patients_table is not None else ()
    return f"Show all {len(rows)} patient rows" if len(rows) > COLLAPSE_ROWS else None
