"""Read PubMed's own export, MEDLINE (.nbib: "Send to > Citation manager"), given to `--ris`.

Records start with `PMID- `, tags are padded to four characters (`TI  - `, `FAU - `), long values
continue on lines indented by six spaces, and a blank line ends a record. Full author names (`FAU`)
are preferred to the initials (`AU`); the DOI is the `LID`/`AID` marked `[doi]`.
"""

from __future__ import annotations

import re

from evsynth.core.limits import BIB_ENTRIES
from evsynth.core.problems import Problem
from evsynth.tools.export_record import ExportRecord, Name, doi, pages, split_name, year_of

_TAG = re.compile(r"([A-Z]{2,4}) {0,2}- ?(.*)\Z")
_FIELDS = {"TI": "title", "TA": "journal", "JT": "journal", "VI": "volume", "IP": "number", "DP": "year"}


def parse_medline(path: str, text: str) -> tuple[list[ExportRecord], list[Problem]]:
    """Every record of a MEDLINE file, or the problem that stops it being read."""
    blocks: list[list[tuple[str, str, int]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        m = _TAG.match(line)
        if m and m.group(1) == "PMID":
            blocks.append([])
        if not line:
            continue
        if m and blocks:
            blocks[-1].append((m.group(1), m.group(2).strip(), number))
        elif raw.startswith(" ") and blocks and blocks[-1]:
            tag, value, at = blocks[-1][-1]
            blocks[-1][-1] = (tag, f"{value} {line.strip()}", at)
        else:
            why = "this line is neither a MEDLINE field (`TI  - ...`) nor its continuation: delete it"
            return [], [Problem(path, number, 1, "import-syntax", why)]
    if len(blocks) > BIB_ENTRIES:
        return [], [Problem(path, 1, 1, "too-many-items", f"more than {BIB_ENTRIES:,} records: split it")]
    return [_record(b) for b in blocks], []


def _record(tags: list[tuple[str, str, int]]) -> ExportRecord:
    types = {v for t, v, _ in tags if t == "PT"}
    rec = ExportRecord(tags[0][2], "article" if "Journal Article" in types or not types else "misc")
    full = any(t == "FAU" for t, _, _ in tags)
    for tag, value, line in tags:
        if tag == "PMID":
            rec.put("pmid", value, line)
        elif tag in _FIELDS:
            rec.put(_FIELDS[tag], year_of(value) if tag == "DP" else value, line)
        elif tag == "PG":
            rec.put("pages", pages(value), line)
        elif tag in ("LID", "AID") and value.endswith("[doi]"):
            rec.put("doi", doi(value.removesuffix("[doi]").strip()), line)
        elif tag == ("FAU" if full else "AU") or tag == "CN":
            rec.authors.append(split_name(value) if tag != "CN" else Name(value, literal=True))
            rec.lines.setdefault("author", line)
    return rec
