"""Downloads: every extracted value with its provenance, pooled results, discrepancies, references.

Pure functions from records to file contents (text); `write` puts them on disk. Text cells that
a spreadsheet would run as a formula (starting with = + - @ or a control character) are
prefixed with an apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pandas as pd
from pybtex.database import BibliographyData
from pybtex.database.output.bibtex import Writer as BibtexWriter

from evsynth.core import escape
from evsynth.core.memo import Memo
from evsynth.core.model import READING_SECTIONS, Study, Value
from evsynth.load.files import Bibliography
from evsynth.render import value_rows, views
from evsynth.render.quality_view import sensitivity_words
from evsynth.synthesis import tables
from evsynth.synthesis.impact import Impact
from evsynth.synthesis.synthesize import Synthesis

safe_cell = escape.csv_cell  # the CSV escaping boundary
ris = escape.one_line  # the RIS boundary: one field, one line (a line break would start a new tag)


def to_csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    w.writerows([safe_cell(row.get(k)) for k in columns] for row in rows)
    return out.getvalue()


def frame_csv(frame: pd.DataFrame) -> str:
    records = [
        {str(k): v for k, v in row.items()}
        for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    return to_csv(records, [str(c) for c in frame.columns])


def value_json(v: Value) -> dict[str, Any]:
    out: dict[str, Any] = {"value": v.value, "report": v.source.report.id}
    where = v.where or v.source.where
    if where:
        out["where"] = where
    for key in ("note", "ambiguous", "printed", "unit", "inferred"):
        if getattr(v, key):
            out[key] = getattr(v, key)
    return out


def _plain(node: Any) -> Any:
    if isinstance(node, Value):
        return value_json(node)
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def study_json(s: Study) -> dict[str, Any]:
    """The whole study: every field as written, numbers as {value, report, where, ...}."""
    out: dict[str, Any] = {
        "id": s.id,
        "label": s.label,
        "year": s.year,
        "citation": s.citation,
        "category": s.category,
        "group": s.group,
        "reports": {
            k: {
                "citation": r.citation,
                "citation_label": r.citation_label,
                "kind": r.kind,
                **({"where": r.where} if r.where else {}),
                **({"cited_as": r.cited_as} if r.cited_as else {}),
                **({"address": r.address} if r.address else {}),
                **({"partial": True} if r.partial else {}),
                **({"note": r.note} if r.note else {}),
            }
            for k, r in s.reports.items()
        },
        "extraction": s.extraction.tree,
        "design": _plain(s.design.tree),
        "intervention": _plain(s.intervention.tree),
    }
    for section in READING_SECTIONS:
        out[section] = [_plain(r.tree) for r in getattr(s, section)]
    if s.patients_table:
        out["patients_table"] = _plain(s.patients_table.tree)
    out["not_reported"] = s.not_reported
    if s.indirectness:
        out["indirectness"] = [{"domain": i.domain, "reason": i.reason} for i in s.indirectness]
    if s.notes:
        out["notes"] = s.notes
    return out


_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # json's own (C) string writer
_LEAF: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "null",
    bool: lambda b: "true" if b else "false",
    str: _string,
    int: int.__repr__,
    float: lambda x: float.__repr__(x) if math.isfinite(x) else json.dumps(x),
}


def _json(node: Any, indent: str, out: list[str]) -> None:
    """`node` as json.dumps(indent=1, ensure_ascii=False) writes it, appended to `out` (json's pure-Python
    writer, which an indent falls back to, costs ~1 ms a study in generators)."""
    leaf = _LEAF.get(type(node))
    if leaf is not None:
        out.append(leaf(node))
    elif type(node) in (dict, list) and not node:
        out.append("{}" if type(node) is dict else "[]")
    elif isinstance(node, dict) and node and all(type(k) is str for k in node):
        inner = indent + " "
        out.append("{")
        for i, (k, v) in enumerate(node.items()):
            out.append(f"{',' if i else ''}\n{inner}{_string(k)}: ")
            _json(v, inner, out)
        out.append(f"\n{indent}}}")
    elif isinstance(node, list | tuple) and node:
        inner = indent + " "
        out.append("[")
        for i, v in enumerate(node):
            out.append(f"{',' if i else ''}\n{inner}")
            _json(v, inner, out)
        out.append(f"\n{indent}]")
    else:  # floats, empty containers, anything unusual: json's own answer
        text = json.dumps(node, indent=1, ensure_ascii=False)
        out.append(text.replace("\n", "\n" + indent))


def studies_json(studies: list[Study]) -> str:
    out: list[str] = []
    _json({"studies": [study_json(s) for s in studies]}, "", out)
    return "".join(out) + "\n"


def studies_csv(studies: list[Study]) -> str:
    """One row per extracted number, with its unit, its record's context and its provenance (long format)."""
    return to_csv((row for s in studies for row in value_rows.value_rows(s)), value_rows.COLUMNS)


def discrepancies_csv(found: list[Impact]) -> str:
    """One row per value of each finding, ranked by effect: the effect, and whether the synthesis
    uses this value."""
    rows = []
    for i in found:
        d = i.finding
        for value in d.values:
            shown, v, where = value
            rows.append(
                {
                    "study": d.study,
                    "code": d.code,
                    "effect": i.severity,
                    "what": d.what,
                    "message": d.message,
                    "value": shown,
                    "source": where,
                    "line": v.line if v else "",
                    "used": "yes" if i.used == value else "",
                    "sensitivity": sensitivity_words(i.sensitivity) if i.sensitivity else "",
                }
            )
    return to_csv(
        rows, ["study", "code", "effect", "what", "message", "value", "source", "line", "used", "sensitivity"]
    )


def _special(c: str) -> bool:
    """Whether the LaTeX encoder of pybtex's writer changes `c` (or the space after it)."""
    encode: Any = codecs.encode  # typeshed says bytes; a text codec gives text
    return bool(encode(c, "ulatex+UTF-8") != c or encode(f"{c} x", "ulatex+UTF-8") != f"{c} x")


# Text the writer's encoder gives back as it is: no ASCII character it rewrites (#%&_~), no lone
# surrogate (which UTF-8 cannot hold); any other character is kept by UTF-8 as it is.
_AS_IS = re.compile("[^" + re.escape("".join(c for c in map(chr, range(128)) if _special(c))) + "\ud800-\udfff]*")


class _Writer(BibtexWriter):  # type: ignore[misc]
    """pybtex's BibTeX writer, but text its LaTeX encoder would return unchanged is not sent through it
    (the encoder goes a character at a time: ~3 ms an entry, most of the download's time)."""

    def _encode(self, text: str) -> str:
        if self.encoding.upper().replace("-", "") == "UTF8" and _AS_IS.fullmatch(text):
            return text
        return str(super()._encode(text))

    def check_braces(self, s: str) -> None:
        if "{" in s:  # without one, no brace is left open (pybtex's scan goes a character at a time)
            super().check_braces(s)


def references_bib(bib: Bibliography) -> str:
    data = BibliographyData(entries={k: bib.entries[k] for k in sorted(bib.entries)})
    return str(_Writer().to_string(data))


RIS_TYPES = {"article": "JOUR", "misc": "GEN", "book": "BOOK", "inproceedings": "CONF"}


def references_ris(bib: Bibliography) -> str:
    lines: list[str] = []
    for key in sorted(bib.entries):
        e = bib.entries[key]
        f = e.fields
        lines.append(f"TY  - {RIS_TYPES.get(e.type, 'GEN')}")
        lines.append(f"ID  - {ris(key)}")
        for p in e.persons.get("author", []):
            if str(p) == "others":  # BibTeX's `and others`: "et al." in the reference, never an author
                continue
            first = " ".join(p.first_names + p.middle_names)
            last = detex(" ".join(p.prelast_names + p.last_names))
            lines.append(f"AU  - {ris(last)}" + (f", {ris(detex(first))}" if first else ""))
        for tag, name in (
            ("TI", "title"),
            ("JO", "journal"),
            ("PY", "year"),
            ("VL", "volume"),
            ("IS", "number"),
            ("DO", "doi"),
            ("N1", "x-incomplete"),
        ):
            if name in f:
                lines.append(f"{tag}  - {ris(detex(f[name]))}")
        if "pages" in f:
            sp, _, ep = f["pages"].partition("--")
            lines.append(f"SP  - {ris(sp)}")
            if ep:
                lines.append(f"EP  - {ris(ep)}")
        if "pmid" in f:
            lines.append(f"AN  - PMID:{ris(f['pmid'])}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def detex(text: str) -> str:
    """BibTeX text as plain Unicode: {\\'e} -> é, braces dropped (plain text is returned as it is)."""
    if not any(c in text for c in "\\{}~$"):
        return text
    decode: Any = codecs.decode
    decoded: str = decode(text, "ulatex")
    return decoded.replace("{", "").replace("}", "")


def all_downloads(syn: Synthesis, bib: Bibliography, memo: Memo | None = None) -> dict[str, str]:
    """Every download of the site by file name (the bibliography's through `memo`: when it changed)."""
    if memo is not None:
        bib_ris = {"bib": bib.entries, "where": bib.where}
        bibtex = memo.get("download:references.bib", bib_ris, lambda: references_bib(bib))
        ris = memo.get("download:references.ris", bib_ris, lambda: references_ris(bib))
    else:
        bibtex, ris = references_bib(bib), references_ris(bib)
    return {
        "studies.csv": studies_csv(syn.studies),
        "studies.json": studies_json(syn.studies),
        "pooled.csv": frame_csv(
            pd.concat([tables.pooled_frame(syn.pooled), tables.scores_frame(syn.scores)])
            if syn.scores
            else tables.pooled_frame(syn.pooled)
        ),
        "discrepancies.csv": discrepancies_csv(syn.impacts),
        "references.bib": bibtex,
        "references.ris": ris,
        "comparison.csv": frame_csv(
            syn.comparison.set_axis([views.column_label(c) for c in syn.comparison.columns], axis=1)
        ),
    }
