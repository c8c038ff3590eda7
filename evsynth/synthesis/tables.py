"""Stage 3, pool: comparison tables with pandas, from validated studies only.

The seed tables of Chiras 2004 (Tables 2-4) are regenerated from the study files in their
printed layout; the comparisons then extend to every study and intervention. Durations are
shown as printed and normalised to months; "not reported" stays visible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable

import pandas as pd

from evsynth.core.model import Reading, Study, Value, months
from evsynth.synthesis.outcomes import POOLED_OUTCOMES, choose_outcome, outcomes
from evsynth.synthesis.pool import Pooled, pool_proportions
from evsynth.core.vocab import Vocabularies, load_vocabularies

NR = "not reported"
DASH = "–"


def fmt(x: float | int | None) -> str:
    if x is None:
        return NR
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _unit(v: Value, default: str | None) -> str:
    unit = v.unit or default or "months"
    return unit[:-1] if float(v.value) == 1 else unit


def duration_text(d: dict[str, Any], words: bool = True) -> str:
    """A duration as printed: '2.5 months', '1–6 months', '3.5 months–1 year'; 'not reported'."""
    unit = d.get("unit")
    lo, hi = d.get("min"), d.get("max")
    if isinstance(lo, Value) and isinstance(hi, Value):
        if (lo.unit or unit) == (hi.unit or unit):
            text = f"{fmt(lo.value)}{DASH}{fmt(hi.value)} {_unit(hi, unit)}"
        else:
            text = f"{fmt(lo.value)} {_unit(lo, unit)}{DASH}{fmt(hi.value)} {_unit(hi, unit)}"
    elif isinstance(hi, Value):
        text = f"up to {fmt(hi.value)} {_unit(hi, unit)}"
    else:
        text = ""
    for key, word in (("value", ""), ("mean", "mean "), ("median", "median ")):
        v = d.get(key)
        if isinstance(v, Value):
            one = f"{word if words else ''}{fmt(v.value)} {_unit(v, unit)}"
            text = one if not text else f"{text} ({one})"
    return text or NR


def duration_months(d: dict[str, Any]) -> tuple[float | None, float | None]:
    """(shortest, longest) in months, a single value counting as both."""
    unit = d.get("unit")
    vals = {k: months(d[k], unit) for k in ("min", "max", "value", "mean", "median") if isinstance(d.get(k), Value)}
    lo = vals.get("min", vals.get("value", vals.get("median", vals.get("mean"))))
    hi = vals.get("max", vals.get("value", vals.get("median", vals.get("mean"))))
    return lo, hi


def _table_readings(study: Study, section: str, where: str) -> list[Reading]:
    return [r for r in getattr(study, section) if r.source.report.citation == "chiras2004"
            and where in ((r.source.where or "") + " " + (r.source.report.where or ""))]


def _first(readings: Iterable[Reading], *keys: str) -> Any:
    for r in readings:
        v = r.get(*keys)
        if v is not None:
            return v
    return None


def _range(d: dict[str, Any] | None) -> str:
    if not d:
        return NR
    lo, hi = d.get("min"), d.get("max")
    if isinstance(lo, Value) and isinstance(hi, Value):
        return f"{fmt(lo.value)}{DASH}{fmt(hi.value)}"
    v = d.get("value")
    return fmt(v.value) if isinstance(v, Value) else NR


# --- the seed tables of Chiras 2004 -----------------------------------------------------

def seed_table2(study: Study, vocab: Vocabularies | None = None) -> pd.DataFrame:
    """Table 2 (primary cancers) regenerated: counts from the Table 1 rows where they can tell,
    the printed Table 2 where they cannot (solitary or multiple)."""
    vocab = vocab or load_vocabularies()
    assert study.patients_table is not None
    rows = study.patients_table.data["rows"]
    printed = {p["primary"]: p for p in _first(_table_readings(study, "population", "Table 2"), "primaries") or []}
    order = list(printed) + sorted({r["primary"] for r in rows} - set(printed))
    out = []
    for prim in order:
        mine = [r for r in rows if r.get("primary") == prim]
        p = printed.get(prim, {})

        def count(site: str) -> int:
            return sum(1 for r in mine if any(vocab.site_covers(site, s) for s in r.get("sites", [])))
        other = sum(1 for r in mine if not any(vocab.site_covers(s2, s) for s in r.get("sites", [])
                                               for s2 in ("spine", "iliac-sacrum")))
        out.append({"Primary cancer": vocab.get("primaries").label(prim), "Number": len(mine),
                    "Solitary": p.get("solitary").value if isinstance(p.get("solitary"), Value) else None,
                    "Multiple": p.get("multiple").value if isinstance(p.get("multiple"), Value) else None,
                    "Spine": count("spine"), "Iliac/sacrum": count("iliac-sacrum"), "Other": other,
                    "primary": prim})
    frame = pd.DataFrame(out)
    for col in ("Solitary", "Multiple"):
        frame[col] = frame[col].astype("Int64")
    return frame


def printed_table2(study: Study) -> dict[tuple[str, str], int]:
    """The printed Table 2 cells, keyed (primary, column), for the cell-by-cell comparison."""
    cells = {}
    for p in _first(_table_readings(study, "population", "Table 2"), "primaries") or []:
        cells[(p["primary"], "Number")] = int(p["n"].value)
        for key, col in (("solitary", "Solitary"), ("multiple", "Multiple")):
            if isinstance(p.get(key), Value):
                cells[(p["primary"], col)] = int(p[key].value)
        for s in p.get("sites", []):
            col = {"spine": "Spine", "iliac-sacrum": "Iliac/sacrum", "other": "Other"}[s["site"]]
            cells[(p["primary"], col)] = int(s["n"].value)
    return cells


TABLE3_COLUMNS = ["Author", "Year", "study", "Total number of cases", "Palliative bone embolization",
                  "Duration of pain relief", "Mean survival time"]
TABLE4_COLUMNS = ["Literature", "study", "Number of patients", "Patients with bone metastases", "Age (years)",
                  "Duration of follow-up (months)", "Number of infusions", "Duration of pain relief (months)",
                  "Radiological response (evaluable)"]


def seed_table3(studies: list[Study]) -> pd.DataFrame:
    """Table 3 (palliative embolization series) from the studies' Table 3 readings."""
    out = []
    for s in studies:
        pops = _table_readings(s, "population", "Table 3")
        if not pops:
            continue
        durs = _table_readings(s, "durations", "Table 3")
        relief = next((d for d in durs if d.data["kind"] == "pain-relief"), None)
        surv = next((d for d in durs if d.data["kind"] == "survival"), None)
        out.append({"Author": s.label.rsplit(" ", 1)[0], "Year": s.year, "study": s.id,
                    "Total number of cases": _first(pops, "patients").value,
                    "Palliative bone embolization": _first(pops, "palliative").value,
                    "Duration of pain relief": duration_text(relief.data) + ("?" if relief and relief.data.get("ambiguous") else "") if relief else "",
                    "Mean survival time": duration_text(surv.data, words=False) if surv else ""})
    frame = pd.DataFrame(out, columns=TABLE3_COLUMNS)
    return frame.sort_values(["Year", "Author"], kind="stable").reset_index(drop=True)


def seed_table4(studies: list[Study]) -> pd.DataFrame:
    """Table 4 (chemoembolization series) from the studies' Table 4 readings."""
    out = []
    for s in studies:
        pops = _table_readings(s, "population", "Table 4")
        if not pops:
            continue
        durs = _table_readings(s, "durations", "Table 4")
        procs = _table_readings(s, "procedures", "Table 4")
        resp = _table_readings(s, "responses", "Table 4")
        rr = resp[0].data.get("responders") if resp else None
        cited = pops[0].source.report.cited_as
        out.append({"Literature": cited or f"{s.label.rsplit(' ', 1)[0]} ({s.year})", "study": s.id,
                    "Number of patients": _first(pops, "patients").value,
                    "Patients with bone metastases": _first(pops, "bone_metastases").value,
                    "Age (years)": _range(_first(pops, "age")),
                    "Duration of follow-up (months)": _range(next((d.data for d in durs if d.data["kind"] == "follow-up"), None)),
                    "Number of infusions": _range(_first(procs, "per_patient")),
                    "Duration of pain relief (months)": _range(next((d.data for d in durs if d.data["kind"] == "pain-relief"), None)),
                    "Radiological response (evaluable)": (rr["printed"] if rr and "printed" in rr else
                                                          f"{rr['n'].value}/{rr['of'].value}" if rr else "")})
    return pd.DataFrame(out, columns=TABLE4_COLUMNS)


# --- comparisons across every study --------------------------------------------------------

def primary_population(study: Study) -> Reading | None:
    """The population reading of the most direct report that counts patients."""
    from evsynth.synthesis.outcomes import REPORT_ORDER
    with_n = [r for r in study.population if isinstance(r.data.get("patients"), Value)]
    return min(with_n, key=lambda r: REPORT_ORDER.get(r.source.report.kind, 9)) if with_n else None


def patients(study: Study) -> int | None:
    r = primary_population(study)
    return int(r.data["patients"].value) if r else None


def relief_duration(study: Study) -> Reading | None:
    from evsynth.synthesis.outcomes import REPORT_ORDER
    rs = [r for r in study.durations if r.data["kind"] == "pain-relief"]
    return min(rs, key=lambda r: REPORT_ORDER.get(r.source.report.kind, 9)) if rs else None


def comparison_table(studies: list[Study], vocab: Vocabularies | None = None) -> pd.DataFrame:
    """One row per study: the comparison of Chiras' Tables 3 and 4, for every intervention."""
    vocab = vocab or load_vocabularies()
    rows = []
    for s in studies:
        pain = choose_outcome(s, "pain-relief")
        radio = choose_outcome(s, "radiological")
        relief = relief_duration(s)
        surv = next((r for r in s.durations if r.data["kind"] == "survival"), None)
        lo, hi = duration_months(relief.data) if relief else (None, None)
        rows.append({
            "study": s.id, "Study": s.label, "Year": s.year, "group": s.group,
            "Intervention": s.category, "Design": s.design.data["type"].replace("-", " "),
            "Patients": patients(s),
            "Pain relief": _prop_text(pain), "Pain relief n": pain.events if pain else None,
            "Pain relief N": pain.total if pain else None,
            "Duration of pain relief": duration_text(relief.data) if relief else NR,
            "Relief min (months)": lo, "Relief max (months)": hi,
            "Survival": duration_text(surv.data) if surv else NR,
            "Radiological response": _prop_text(radio),
            "Complications": "; ".join(_complication(c) for c in s.complications) or NR,
            "Extraction": s.extraction["status"],
        })
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


COMPARISON_COLUMNS = ["study", "Study", "Year", "group", "Intervention", "Design", "Patients", "Pain relief",
                      "Pain relief n", "Pain relief N", "Duration of pain relief", "Relief min (months)",
                      "Relief max (months)", "Survival", "Radiological response", "Complications", "Extraction"]


def _prop_text(o: Any) -> str:
    if o is None:
        return NR
    if o.events is None:
        pct = (o.reading.data.get("responders") or {}).get("percent")
        return f"{fmt(pct.value)}%" if isinstance(pct, Value) else NR
    if not o.total:
        return f"{o.events} (denominator not reported)"
    derived = {"from percentage": ", back-calculated from the printed %", "categories": ", sum of categories"}
    return (f"{o.events}/{o.total} ({100 * o.events / o.total:.0f}%{derived.get(o.how, '')})"
            + ("" if o.per == "patients" else f" {o.per}"))


def _complication(c: Reading) -> str:
    n, pct = c.data.get("n"), c.data.get("percent")
    count = fmt(n.value) if isinstance(n, Value) else (f"{fmt(pct.value)}%" if isinstance(pct, Value) else "n not reported")
    return f"{c.data['event']}: {count}"


def pooled_results(studies: list[Study], vocab: Vocabularies | None = None) -> list[dict[str, Any]]:
    """Pooled proportion per outcome and intervention group (and across all groups)."""
    vocab = vocab or load_vocabularies()
    out = []
    for kind, title in POOLED_OUTCOMES.items():
        found = [o for o in outcomes(studies, kind) if o.poolable]
        groups: dict[str, list[Any]] = defaultdict(list)
        for o in found:
            groups[o.study.group].append(o)
        if len({o.study.group for o in found}) > 1:
            groups["all"] = found
        for group, members in sorted(groups.items()):
            pooled = pool_proportions([o.proportion() for o in members])
            out.append({"outcome": kind, "outcome_title": title, "group": group,
                        "group_title": vocab.groups.get(group, "All interventions (mixed)"),
                        "pooled": pooled, "outcomes": members})
    return out


def pooled_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for r in results:
        p: Pooled = r["pooled"]
        rows.append({"outcome": r["outcome"], "group": r["group"], "k": p.k,
                     "patients": sum(s.total for s in p.studies), "events": sum(s.events for s in p.studies),
                     "estimate": p.estimate, "ci_low": p.ci_low, "ci_high": p.ci_high, "pi_low": p.pi_low,
                     "pi_high": p.pi_high, "tau2": p.tau2, "i2": p.i2, "q": p.q, "tau2_method": p.tau2_method,
                     "ci_method": p.ci_method, "studies": " ".join(s.study for s in p.studies),
                     "cautions": " | ".join(p.cautions)})
    return pd.DataFrame(rows, columns=POOLED_COLUMNS)


POOLED_COLUMNS = ["outcome", "group", "k", "patients", "events", "estimate", "ci_low", "ci_high", "pi_low", "pi_high",
                  "tau2", "i2", "q", "tau2_method", "ci_method", "studies", "cautions"]


def duration_span(studies: list[Study]) -> dict[str, Any]:
    """Range of pain-relief duration across studies, with the studies that set each end."""
    spans: list[tuple[Study, float, float]] = []
    for s in studies:
        r = relief_duration(s)
        lo, hi = duration_months(r.data) if r else (None, None)
        if lo is not None and hi is not None:
            spans.append((s, lo, hi))
    if not spans:
        return {"low": None, "high": None, "low_studies": [], "high_studies": [], "ambiguous": []}
    low = min(lo for _, lo, _ in spans)
    high = max(hi for _, _, hi in spans)
    return {"low": low, "high": high,
            "low_studies": [s for s, lo, _ in spans if lo == low],
            "high_studies": [s for s, _, hi in spans if hi == high],
            "ambiguous": [s for s, _, _ in spans if (r := relief_duration(s)) and r.data.get("ambiguous")]}


def group_summary(studies: list[Study], vocab: Vocabularies | None = None) -> pd.DataFrame:
    vocab = vocab or load_vocabularies()
    rows = []
    for group, title in vocab.groups.items():
        members = [s for s in studies if s.group == group]
        span = duration_span(members)
        rows.append({"group": group, "Intervention": title, "Studies": len(members),
                     "Patients": sum(patients(s) or 0 for s in members),
                     "Relief from (months)": span["low"], "Relief to (months)": span["high"],
                     "Set by": ", ".join(s.label for s in span["low_studies"] + span["high_studies"])})
    return pd.DataFrame(rows)


def agent_view(studies: list[Study], vocab: Vocabularies | None = None) -> dict[str, list[Study]]:
    """Canonical embolic agent or drug -> the studies that used it."""
    vocab = vocab or load_vocabularies()
    out: dict[str, set[str]] = defaultdict(set)
    for s in studies:
        for e in s.intervention.data.get("embolics", []):
            for a in e["agents"]:
                out[f"embolic:{a}"].add(s.id)
        for d in s.intervention.data.get("drugs", []):
            if d.get("role", "anticancer") == "anticancer":
                out[f"drug:{d['drug']}"].add(s.id)
    by_id = {s.id: s for s in studies}
    return {k: [by_id[i] for i in sorted(v)] for k, v in sorted(out.items())}


def primary_view(studies: list[Study]) -> dict[str, list[tuple[Study, int | None]]]:
    """Primary tumour -> studies reporting patients with it, with the count."""
    out: dict[str, list[tuple[Study, int | None]]] = defaultdict(list)
    for s in studies:
        counts: Counter[str] = Counter()
        seen: set[str] = set()
        r = next((r for r in s.population if r.data.get("primaries")), None)
        if s.patients_table:
            counts.update(row["primary"] for row in s.patients_table.data["rows"] if row.get("primary"))
        elif r:
            for p in r.data["primaries"]:
                seen.add(p["primary"])
                if isinstance(p.get("n"), Value):
                    counts[p["primary"]] += int(p["n"].value)
        for prim in set(counts) | seen:
            out[prim].append((s, counts.get(prim)))
    return dict(sorted(out.items()))


def region_view(studies: list[Study], vocab: Vocabularies | None = None) -> dict[str, list[Study]]:
    vocab = vocab or load_vocabularies()
    out: dict[str, set[str]] = defaultdict(set)
    for s in studies:
        sites = {site["site"] for r in s.population for site in r.data.get("sites", [])}
        if s.patients_table:
            sites |= {x for row in s.patients_table.data["rows"] for x in row.get("sites", [])}
        for site in sites:
            out[vocab.region_of(site)].add(s.id)
    by_id = {s.id: s for s in studies}
    return {k: [by_id[i] for i in sorted(v)] for k, v in sorted(out.items())}


def decade_view(studies: list[Study]) -> dict[str, list[Study]]:
    out: dict[str, list[Study]] = defaultdict(list)
    for s in sorted(studies, key=lambda s: (s.year or 0, s.id)):
        out[f"{(s.year // 10) * 10}s" if s.year else "year unknown"].append(s)
    return dict(out)
