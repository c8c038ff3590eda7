"""`studies.csv` read back gives the values of `studies.json`: every number with its unit, what is
counted, its record's kind, label and event, its item and time point, and its provenance.

The expected rows are derived here from the JSON alone (the rules written out once more, as a
reader of the downloads would apply them), on the fixture set exactly and on the real evidence as
an invariant.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REFERENCES, ROOT

from evsynth import pipeline
from evsynth.core.escape import FORMULA_START
from evsynth.render.downloads import all_downloads

SECTIONS = ("design", "intervention", "population", "procedures", "responses", "scores", "durations",
            "complications", "cases", "patients_table")  # fmt: skip
FIXED_UNITS = {"age": "years", "size_um": "µm", "volumes": "mL"}  # the schema's units, not written in files
STATS = {"mean", "sd", "median", "se", "q1", "q3", "min", "max"}
Chain = tuple[Mapping[str, Any], ...]


@lru_cache(maxsize=2)
def downloads(evidence: Path, references: Path) -> tuple[str, str]:
    checked = pipeline.check(evidence, references)
    files = all_downloads(pipeline.synthesis(checked), checked.bib)
    return files["studies.csv"], files["studies.json"]


def is_value(node: Any) -> bool:
    return isinstance(node, dict) and "report" in node and isinstance(node.get("value"), (int, float))


def numbers(node: Any, path: tuple[Any, ...] = (), chain: Chain = ()) -> Iterator[tuple[tuple[Any, ...], Any, Chain]]:
    if is_value(node):
        yield path, node, chain
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from numbers(v, path + (k,), chain + (node,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from numbers(v, path + (i,), chain)


def nearest(chain: Chain, *keys: str) -> Any:
    for node in reversed(chain):
        for key in keys:
            if key in node:
                return node[key]
    return None


def unit(value: dict[str, Any], chain: Chain, path: tuple[Any, ...]) -> str:
    keys = [k for k in path if isinstance(k, str)]
    if value.get("unit") or nearest(chain, "unit"):
        return str(value.get("unit") or nearest(chain, "unit"))
    if keys[-1] == "percent":
        return "%"
    fixed = [FIXED_UNITS[k] for k in keys if k in FIXED_UNITS]
    if fixed:
        return fixed[0]
    if "scale" in chain[0] and "points" in keys and keys[-1] in STATS:
        return f"points ({chain[0]['scale']})"
    return ""


def when(tp: Any) -> str:
    if isinstance(tp, dict):
        return f"{tp['value']} {tp['unit'][:-1] if tp['value'] == 1 else tp['unit']}"
    return tp or ""


def expected_rows(doc: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for s in doc["studies"]:
        for section in SECTIONS:
            records = s.get(section)
            listed = isinstance(records, list)
            for i, record in enumerate(records if listed else [records] if records else []):
                for path, v, chain in numbers(record):
                    item = nearest(chain, "name", "primary", "site", "drug", "agents")
                    report = s["reports"][v["report"]]
                    rows.append({
                        "study": s["id"], "section": section, "record": str(i) if listed else "",
                        "field": ".".join(map(str, path)), "value": str(v["value"]), "unit": unit(v, chain, path),
                        "per": nearest(chain, "per") or "", "kind": nearest(chain, "kind", "domain") or "",
                        "label": nearest(chain, "label") or "", "event": nearest(chain, "event") or "",
                        "item": "+".join(item) if isinstance(item, list) else item or "",
                        "time_point": when(nearest(chain, "time_point")), "report": v["report"],
                        "citation": report["citation"], "report_kind": report["kind"],
                        **{k: v.get(k, "") for k in ("where", "printed", "note", "ambiguous", "inferred")},
                    })  # fmt: skip
    return rows


def read_back(text: str) -> list[dict[str, str]]:
    """The CSV as a reader gets it: the apostrophe that disarms a formula taken off again."""

    def cell(x: str) -> str:
        return x[1:] if x.startswith("'") and x[1:].lstrip(" ").startswith(FORMULA_START) else x

    return [{k: cell(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(
    ("evidence", "references"), [(FIXTURES / "evidence", REFERENCES), (ROOT / "evidence", ROOT / "references")]
)
def test_studies_csv_reads_back_into_the_values_of_studies_json(evidence: Path, references: Path) -> None:
    text, doc = downloads(evidence, references)
    got, want = read_back(text), expected_rows(json.loads(doc))
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        assert g == w


def test_fixture_rows_carry_unit_event_label_and_time_point() -> None:
    rows = read_back(downloads(FIXTURES / "evidence", REFERENCES)[0])
    by = {(r["study"], r["section"], r["record"], r["field"]): r for r in rows}
    assert by["mini-2020", "durations", "0", "max"]["unit"] == "months"
    assert by["other-2021", "durations", "0", "max"]["unit"] == "years"  # its own unit wins over the record's
    assert by["other-2021", "intervention", "", "drugs.0.dose.value"]["unit"] == "mg"
    leak = by["other-2021", "complications", "0", "n"]
    assert (leak["event"], leak["per"]) == ("asymptomatic cement leakage", "vertebrae")
    assert by["other-2021", "intervention", "", "cement.volumes.1.mean"]["label"] == "lumbar"
    assert by["other-2021", "responses", "1", "responders.n"]["time_point"] == "6 months"
    assert by["other-2021", "scores", "0", "points.1.mean"]["unit"] == "points (VAS)"


def test_real_evidence_rows_never_lose_a_unit_or_an_event() -> None:
    rows = read_back(downloads(ROOT / "evidence", ROOT / "references")[0])
    assert all(r["unit"] for r in rows if r["section"] == "durations" or ".duration." in f".{r['field']}.")
    assert all(r["event"] for r in rows if r["section"] == "complications")
    assert all(r["kind"] and r["per"] for r in rows if r["section"] == "responses")


# --- the discrepancy report, re-derived from studies.json alone ------------------------------

NOT_IN_FILES = ("year", "category", "group")  # computed, not written in a study file


def as_file(node: Any) -> Any:
    """A studies.json tree as the study file wrote it: a number's report is its record's source."""
    if isinstance(node, dict) and "value" in node and "report" in node:
        return {k: v for k, v in node.items() if k != "report"}
    if isinstance(node, dict):
        return {k: as_file(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_file(v) for v in node]
    return node


def study_file(study: dict[str, Any]) -> bytes:
    import yaml

    data = {"schema_version": 1, **{k: v for k, v in study.items() if k not in NOT_IN_FILES}}
    data["reports"] = {k: {f: x for f, x in r.items() if f != "citation_label"} for k, r in study["reports"].items()}
    data = {k: v for k, v in as_file(data).items() if v not in ([], None)}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@pytest.mark.parametrize("evidence", [FIXTURES / "warnings", ROOT / "evidence"], ids=["warnings", "real"])
def test_the_discrepancy_report_is_re_derived_from_studies_json_alone(evidence: Path) -> None:
    """Every finding of discrepancies.csv, with its values and their provenance, comes out of the
    rules run on studies.json's studies (labels included), without the study files."""
    from collections import Counter

    from evsynth.core.model import build_study
    from evsynth.load.vocabulary import load_vocabularies
    from evsynth.load.yamlio import parse_yaml
    from evsynth.validate.quality import find_discrepancies

    refs = REFERENCES if evidence.parent == FIXTURES else ROOT / "references"
    checked = pipeline.check(evidence, refs)
    files = all_downloads(pipeline.synthesis(checked), checked.bib)
    report = list(csv.DictReader(io.StringIO(files["discrepancies.csv"])))
    want = Counter((r["study"], r["code"], r["message"], r["value"], r["source"]) for r in report)
    vocab, got = load_vocabularies(), Counter[tuple[str, ...]]()
    for s in json.loads(files["studies.json"])["studies"]:
        doc, problems = parse_yaml(f"{s['id']}.yaml", study_file(s))
        assert doc is not None and not problems
        labels = {r["citation"]: r["citation_label"] for r in s["reports"].values()}
        for d in find_discrepancies(build_study(doc, vocab, labels), vocab):
            got.update((s["id"], d.code, d.message, shown, where) for shown, _, where in d.values)
    assert want and got == want
