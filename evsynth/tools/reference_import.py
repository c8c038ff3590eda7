"""`build.py new --bibtex/--ris/--csl-json FILE [--pick N]`: the paper's one BibTeX entry from an export.

BibTeX is kept as written (the chosen entry's text); RIS and CSL-JSON records are written as BibTeX
by `export_record.to_bibtex`. Every entry then goes through the same reading and checks as the
references folder (`load.load_bibliography`, `validate_bibliography`), so an import cannot write
what `check` would refuse; problems name the export file and the line of the record.
"""

from __future__ import annotations

import re

from evsynth.core.problems import Problem
from evsynth.load import files as load
from evsynth.tools.csl_json import parse_csl_json
from evsynth.tools.export_record import ExportRecord, record_problems, to_bibtex
from evsynth.tools.ris import parse_ris
from evsynth.validate.checks import validate_bibliography

FORMATS = {"ris": ("RIS", parse_ris), "csl-json": ("CSL-JSON", parse_csl_json)}
LISTED = 20  # records listed when the file holds several and none is picked


def chosen(shown: str, labels: list[tuple[int, str]], pick: int | None) -> int | list[Problem]:
    """The index of the record to use: the only one, or the one `--pick N` names (1-based)."""
    if pick is None and len(labels) == 1:
        return 0
    if pick is not None and 1 <= pick <= len(labels):
        return pick - 1
    k = len(labels)
    if pick is not None:
        return [Problem(shown, 0, 0, "import-pick", f"--pick {pick}: the file holds {k} record(s); choose 1 to {k}")]
    out = [Problem(shown, 0, 0, "import-pick", f"{k} records in this file: choose the paper's with --pick N")]
    out += [Problem(shown, line, 1, "import-pick", f"--pick {i}: {label}") for i, (line, label) in enumerate(labels, 1)]
    if k > LISTED:
        out = out[: LISTED + 1] + [Problem(shown, 0, 0, "import-pick", f"... and {k - LISTED} more records")]
    return out


def bibtex_entry(shown: str, text: str, pick: int | None) -> tuple[str, str] | list[Problem]:
    """A BibTeX file's one entry (or the picked one), as written: its key and text."""
    bib, problems = load.load_bibliography([load.RawFile(shown, text.encode("utf-8"))])
    if problems:
        return problems
    if not bib.entries:
        return [Problem(shown, 1, 1, "bib-syntax", "no BibTeX entry found: save the paper's entry (@article{...})")]
    keys = list(bib.entries)
    index = chosen(shown, [(bib.where[k][1], f"{k}: {bib.label(k)}") for k in keys], pick)
    if isinstance(index, list):
        return index
    key = keys[index]
    one = load.Bibliography({key: bib.entries[key]}, {key: bib.where[key]})
    refused = [p for p in validate_bibliography(one) if p.is_error]
    if refused:
        return refused
    if len(keys) == 1:
        return key, text
    starts = [m.start() for m in re.finditer(r"^[ \t]*@", text, re.MULTILINE)]
    begin = next(s for s in starts if text.count("\n", 0, s) + 1 == bib.where[key][1])
    end = next((s for s in starts if s > begin), len(text))
    return key, text[begin:end].rstrip() + "\n"


def import_entry(shown: str, text: str, fmt: str, pick: int | None, key: str) -> tuple[str, str] | list[Problem]:
    """An RIS or CSL-JSON record written as the BibTeX entry `key`, checked as the references are."""
    name, parse = FORMATS[fmt]
    records, problems = parse(shown, text)
    if problems:
        return problems
    index = chosen(shown, [(r.line, r.summary()) for r in records], pick)
    if isinstance(index, list):
        return index
    rec = records[index]
    what = f"record {index + 1}" if len(records) > 1 else "the record"
    problems = record_problems(shown, rec, what)
    if problems:
        return problems
    entry = to_bibtex(key, rec, f"{name} export, read by build.py new")
    refused = _read_back(shown, rec, what, entry)
    return refused or (key, entry)


def _read_back(shown: str, rec: ExportRecord, what: str, entry: str) -> list[Problem]:
    """The written entry read as the build reads references/: its errors, placed at the record's line."""
    bib, problems = load.load_bibliography([load.RawFile(shown, entry.encode("utf-8"))])
    problems += validate_bibliography(bib)
    line = {"bib-bad-label": rec.lines.get("author", rec.line)}
    return [
        Problem(shown, line.get(p.code, rec.line), 1, p.code, f"{what}: {p.message}") for p in problems if p.is_error
    ]
