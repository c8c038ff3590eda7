"""The one record every stage uses to report a problem, and its formatter."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from evsynth.core import escape

Severity = Literal["error", "warning"]


# Every code a problem can carry, with what it means. Codes are stable: editors, CI
# annotations and the documentation refer to them.
CODES: dict[str, str] = {
    # reading the file
    "unreadable": "The file cannot be opened.",
    "not-a-regular-file": "A symbolic link, folder or device where a study or BibTeX file belongs.",
    "bad-file-name": "A file name outside lower-case letters, digits, '.', '_' and '-'.",
    "wrong-extension": "A study or BibTeX file the build would not read (.yml, .YAML, .BIB): rename it.",
    "file-too-large": "The file is larger than a study file can be.",
    "not-utf8": "The file is not saved as UTF-8.",
    "tab-indent": "A tab is used for indentation.",
    "control-character": "An invisible control or text-direction character.",
    "empty-file": "The file holds no data.",
    "yaml-syntax": "The YAML cannot be parsed.",
    "yaml-multiple-documents": "More than one YAML document in the file.",
    "yaml-tag": "A YAML tag such as !!python/object (never executed).",
    "yaml-anchor": "A YAML anchor (&name); write values out in full.",
    "yaml-alias": "A YAML alias (*name); write values out in full.",
    "yaml-complex-key": "A key that is not plain text.",
    "yaml-too-deep": "Nesting deeper than any study needs.",
    "yaml-ambiguous": "A plain value that YAML 1.1 and 1.2 read differently (no, on, 1e3, 012).",
    "non-finite-number": "NaN or infinity where a number belongs.",
    "value-too-long": "A single value (or BibTeX field) longer than its field allows.",
    "too-many-items": "A list or mapping (or BibTeX file) with more entries than any study needs.",
    "too-many-values": "A file with more values than any study needs.",
    "too-slow": "The check went over its time budget (a pathological file).",
    "duplicate-key": "The same key twice in one mapping.",
    # the schema
    "not-a-mapping": "The file is not a mapping of fields.",
    "unknown-field": "A field the schema does not know (often a typo).",
    "missing-field": "A required field is missing.",
    "wrong-type": "A value of the wrong kind (text where a number belongs...).",
    "unknown-value": "A value outside the allowed list (design, unit, kind...).",
    "negative-count": "A count below zero.",
    "out-of-range": "A number outside its allowed range (a percentage above 100...).",
    "bad-format": "Text that does not follow its format (dates, ids, labels without markup).",
    "bad-date": "A date that is not a real calendar date, lies in the future or before 1900.",
    "empty": "An empty list or mapping.",
    "schema": "Another schema rule.",
    # vocabulary and references
    "unknown-term": "A term missing from the controlled vocabulary.",
    "placeholder": "A template placeholder (TODO) left in the file.",
    "id-mismatch": "The id differs from the file name.",
    "duplicate-id": "Two studies share an id.",
    "anchor-clash": "Two study ids or citation keys that become the same link anchor (ab-2020, ab--2020).",
    "unknown-citation": "A citation key missing from references/.",
    "unknown-report": "A source names a report not listed under reports:.",
    # semantic rules
    "subset-exceeds-total": "A part is larger than its whole (responders > evaluated > patients).",
    "categories-sum": "Exhaustive categories do not add up to their total.",
    "range-order": "A range's minimum is above its maximum.",
    "outside-range": "A mean, median or value outside its own range.",
    "rows-count": "Patient-level rows do not match the patient count of the same report.",
    "duplicate-row": "Two patient-level rows share a number.",
    "unit-missing": "A response or complication that does not say what it counts (patients, vertebrae...).",
    "percent-entry": "A percentage entered as a proportion (0.97) or as the count (`n: 97`).",
    # BibTeX
    "bib-syntax": "The BibTeX cannot be parsed.",
    "bib-macro": "A BibTeX @string or @preamble (write fields out in full).",
    "bib-unsafe-tex": "A TeX command that reads or writes files or redefines TeX.",
    "bib-duplicate-key": "Two BibTeX entries share a key.",
    "bib-bad-key": "A citation key outside letters, digits and . _ : / + -, or too long.",
    "bib-duplicate-field": "A BibTeX entry has the same field twice.",
    "bib-missing-author": "A BibTeX entry has no author.",
    "bib-bad-year": "A BibTeX entry has no four-digit year.",
    "bib-missing-title": "A BibTeX entry has no title and is not marked incomplete.",
    "bib-bad-doi": "A DOI that is not of the form 10.xxxx/...",
    "bib-bad-pmid": "A PMID that is not digits.",
    "bib-bad-label": "A first author (the default study label) holding markup or math characters.",
    # reference-manager exports (`build.py new --ris/--csl-json`)
    "import-syntax": "An RIS or CSL-JSON export that cannot be read as it is.",
    "import-pick": "An export holding several references: choose the paper's with --pick N.",
    # the literature search log (evidence/search/)
    "log-syntax": "A search-log CSV, or a line of repeated-hits.txt, that cannot be read as it is.",
    "log-unknown-column": "A column the search log does not have (often a typo).",
    "log-missing-column": "A column of the search log is missing.",
    "log-duplicate-id": "Two searches, or two records, share an id.",
    "log-unknown-search": "A record or repeated hit names a search that is not in searches.csv.",
    "log-unknown-decision": "A record's decision outside included, excluded, already-included.",
    "log-reason": "An excluded record without a reason, or with one outside the protocol's fixed list.",
    "log-unknown-group": "An intervention group outside the protocol's list.",
    "log-missing-study": "A record naming a study file that does not exist, or an already-included one naming none.",
    "log-unlogged-study": "A study file that no included or already-included record of the search log names.",
    "log-count-mismatch": "A search's `records` differs from the records logged for it plus its repeated hits.",
    # data-quality findings in the sources (warnings)
    "incomplete-citation": "A reference the sources give only in part (listed for completion).",
    "percent-mismatch": "A printed percentage differs from its n/N by a point or more.",
    "percent-truncated": "A printed percentage that is n/N truncated, not rounded (information: they agree).",
    "sd-impossible": "An SD larger than any scores within the scale's range can have with that mean.",
    "duration-unit": "One duration restated with another unit or a factor of ten apart (13 months, 13 weeks).",
    "percent-impossible": "A printed percentage no whole count of N can give.",
    "described-patient-differs": "A patient described individually (a figure legend) differs from the closest row.",
    "described-patient-unmatched": "A patient described individually matches no patient row.",
    "dose-outside-protocol": "A described patient's dose (or sum over arteries) outside the protocol's doses.",
    "protocol-not-delivered": "Procedures given outside the planned number (fewer than 'three or more').",
    "metastases-sites": "Fewer metastatic sites than solitary + 2 x multiple metastases need.",
    "cited-year": "A report names the study with a year other than its reference's.",
    "naming-drift": "One drug printed under several names (information: the vocabulary reads them as one).",
    "grim-impossible": "A mean impossible for its n of whole numbers (GRIM: ages, procedures per patient, arteries).",
    "reports-disagree": "Two reports of the same study give different values.",
    "internal-inconsistency": "One report gives two different values for the same thing.",
    "change-mismatch": "A printed change differs from the difference of the printed means.",
    "rows-disagree": "Patient-level rows disagree with the paper's own summary.",
}

# Findings whose values agree (information, not a contradiction): they change no number.
INFORMATION_CODES = frozenset({"percent-truncated", "naming-drift"})


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with an input file, at a line and column (1-based; 0 = unknown)."""

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered problem code {self.code!r}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def problem_parts(p: Problem) -> tuple[str, str, str]:
    """The three parts every view of a problem shows, worded once: where (`evidence/x.yaml:14:3`),
    the tag (`code`, or `warning code`) and the message, which says how to fix it. Raw text: each
    output escapes it for its own context."""
    where = p.path
    if p.line:
        where += f":{p.line}:{p.column or 1}"
    return where, p.code if p.is_error else f"warning {p.code}", p.message


def format_problem(p: Problem) -> str:
    """`evidence/x.yaml:14:3: [code] message` (warnings say so), on one line, nothing invisible."""
    where, tag, message = problem_parts(p)
    return escape.terminal(f"{where}: [{tag}] {message}")


def format_github(p: Problem) -> str:
    """A GitHub Actions workflow command that annotates the line in the pull request.

    Properties (file, title) escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF,
    as the workflow-command rules ask, so a file name cannot start a command of its own.
    """
    kind = "error" if p.is_error else "warning"
    return (
        f"::{kind} file={escape.github_property(p.path)},line={max(p.line, 1)},col={max(p.column, 1)},"
        f"title={escape.github_property(p.code)}::{escape.github_message(p.message)}"
    )


def format_problems(problems: Iterable[Problem]) -> list[str]:
    """Every problem, sorted by file and line, in the format the environment wants."""
    fmt = format_github if os.environ.get("GITHUB_ACTIONS") == "true" else format_problem
    return [fmt(p) for p in sorted(problems)]


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)
