"""Stage 2, validate: schema, vocabulary, references, semantic rules and data quality.

Validation happens once, here. It returns typed `Study` records for the files with no
errors, every `Problem` found (errors and warnings) and the source discrepancies.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from evsynth.core.anchors import anchor_clashes, citation_anchor, study_anchor
from evsynth.core.budget import Deadline
from evsynth.core.document import Document, Path
from evsynth.core.limits import EARLIEST_YEAR
from evsynth.core.model import Study, build_study
from evsynth.core.names import plain_text, vancouver_name
from evsynth.core.problems import Problem, Severity
from evsynth.core.studycache import StudyCache
from evsynth.core.vocab import FIELD_VOCABULARY, Vocabularies
from evsynth.load.files import Bibliography
from evsynth.load.vocabulary import load_vocabularies
from evsynth.validate import reuse
from evsynth.validate.discrepancy import Discrepancy
from evsynth.validate.inputrules import bib_budget_problems, bib_label_problems, bib_latex_problems, check_dates, today
from evsynth.validate.quality import find_discrepancies
from evsynth.validate.rules import check_study
from evsynth.validate.schema_check import FAST_PATH_FROM, _kind, dotted, validate_schema

PLACEHOLDER = re.compile(r"\bTODO\b|<fill[^<>]*>|\bFIXME\b", re.IGNORECASE)  # [^<>]: linear on "<fill<fill..."


@dataclass
class Validated:
    studies: list[Study] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)


def _walk_strings(node: Any, path: Path, key: str = "") -> Iterator[tuple[Path, str, str]]:
    """(path, key, text) of every string, with the key it sits under (list items inherit it)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk_strings(v, path + (k,), k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_strings(v, path + (i,), key)
    elif isinstance(node, str):
        yield path, key, node


Found = list[tuple[Path, str, str]]  # (path, key, text) of strings, as `_walk_strings` gives them


Sources = list[tuple[Path, str]]  # (place, report) of every `source: {report: ...}`, as `_sources` gives them


def _scan(node: Any, path: Path, key: str, texts: list[str], terms: Found, sources: Sources) -> None:
    """Every string of `node` into `texts`, those under a vocabulary field's key, with their place, into
    `terms`, and the reports sources name into `sources` (in file order): one pass, no place made for
    the other strings."""
    if isinstance(node, dict):
        src = node.get("source")
        if isinstance(src, dict) and isinstance(src.get("report"), str):
            sources.append((path + ("source", "report"), src["report"]))
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        under = str(k) if isinstance(node, dict) else key
        if isinstance(v, str):
            texts.append(v)
            if under in FIELD_VOCABULARY:
                terms.append((path + (k,), under, v))
        elif isinstance(v, (dict, list)):
            _scan(v, path + (k,), under, texts, terms, sources)


def validate_placeholders(doc: Document, texts: list[str] | None = None) -> list[Problem]:
    """Template placeholders (TODO) left in the file: one problem each, with its place. `texts`: every
    string of the file (`_scan`), searched at once first (a file with none is not walked again)."""
    if texts is not None and not PLACEHOLDER.search("\0".join(texts)):
        return []
    problems = []
    for path, _, text in _walk_strings(doc.data, ()):
        if PLACEHOLDER.search(text):
            line, col = doc.pos(path)
            problems.append(
                Problem(
                    doc.path,
                    line,
                    col,
                    "placeholder",
                    f"`{dotted(path)}` still holds a placeholder ({text[:40]!r}): "
                    "replace it with what the paper says, or delete the line",
                )
            )
    return problems


def validate_terms(doc: Document, vocab: Vocabularies, terms: Found | None = None) -> list[Problem]:
    """Vocabulary fields (agents, drugs, primaries, sites, category) must use known terms (`terms`: the
    strings under their keys, from `_scan`)."""
    problems = []
    for path, key, text in _walk_strings(doc.data, ()) if terms is None else terms:
        if PLACEHOLDER.search(text):
            continue
        name = FIELD_VOCABULARY.get(key)
        if name is None or path[0] in ("reports", "extraction"):
            continue
        v = vocab.get(name)
        if v.canonical(text) is None:
            line, col = doc.pos(path)
            close = v.suggest(text)
            fix = (
                f"did you mean {' or '.join(f'`{c}`' for c in close)}?"
                if close
                else f"add it to evsynth/vocabulary.yaml under `{name}` if it is a new term"
            )
            problems.append(
                Problem(
                    doc.path,
                    line,
                    col,
                    "unknown-term",
                    f"`{dotted(path)}`: {text!r} is not in the {name} vocabulary: {fix}",
                )
            )
    return problems


def _sources(node: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(node, dict):
        src = node.get("source")
        if isinstance(src, dict) and isinstance(src.get("report"), str):
            yield path + ("source", "report"), src["report"]
        for k, v in node.items():
            yield from _sources(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sources(v, path + (i,))


def validate_references(doc: Document, bib: Bibliography, sources: Sources | None = None) -> list[Problem]:
    """The id matches the file name; citations exist in references/; sources name listed reports
    (`sources`: as `_scan` found them)."""
    data, problems = doc.data, []

    def add(path: Path, code: str, msg: str, key: bool = False) -> None:
        line, col = doc.pos(path, key=key)
        problems.append(Problem(doc.path, line, col, code, msg))

    stem = PurePath(doc.path).stem
    if data["id"] != stem:
        add(
            ("id",),
            "id-mismatch",
            f"id `{data['id']}` differs from the file name `{stem}.yaml`: rename the file or change the id",
        )
    for rid, report in data["reports"].items():
        if report["citation"] not in bib.entries:
            add(
                ("reports", rid, "citation"),
                "unknown-citation",
                f"citation `{report['citation']}` is not in references/: add a BibTeX entry with that key",
            )
    if data["citation"] not in bib.entries:
        add(("citation",), "unknown-citation", f"citation `{data['citation']}` is not in references/")
    for path, rid in _sources(data, ()) if sources is None else sources:
        if rid not in data["reports"]:
            add(
                path,
                "unknown-report",
                f"source report `{rid}` is not listed under `reports:` (listed: {', '.join(data['reports'])})",
            )
    return problems


def validate_bibliography(bib: Bibliography) -> list[Problem]:
    """Each entry has an author and a year; a title unless marked incomplete; well-formed DOI/PMID."""
    problems = []
    for key, entry in bib.entries.items():
        problems += _entry_fields(key, entry, *bib.where[key])
        where = bib.where[key]
        budget = bib_budget_problems(key, entry, where)
        latex = budget or bib_latex_problems(key, entry, where, plain_text, vancouver_name)
        problems += latex
        if entry.persons.get("author") and not latex:
            problems += bib_label_problems(key, entry, where, bib.label)
    keys = ((key, (bib.where[key][0], bib.where[key][1], 1)) for key in bib.entries)
    return problems + anchor_clashes(keys, citation_anchor, "citation keys")


def _entry_fields(key: str, entry: Any, path: str, line: int) -> list[Problem]:
    f = entry.fields
    out: list[Problem] = []

    def add(code: str, message: str, severity: Severity = "error") -> None:
        out.append(Problem(path, line, 1, code, f"entry `{key}`{message}", severity))

    unknown = "x-incomplete" in f  # what the sources do not give stays unknown, with the reason
    if not entry.persons.get("author") and not unknown:
        add(
            "bib-missing-author",
            " has no author: add the authors, or mark the entry `x-incomplete = {why}` when no page read names them",
        )
    year = str(f.get("year", ""))
    if (year or not unknown) and (
        not re.fullmatch(r"[0-9]{4}", year) or not EARLIEST_YEAR <= int(year) <= today().year + 1
    ):
        add("bib-bad-year", f" needs a four-digit year from {EARLIEST_YEAR} to next year (none if `x-incomplete`)")
    if "title" not in f and "x-incomplete" not in f:
        add(
            "bib-missing-title",
            " has no title: add it, or mark the entry `x-incomplete = {{why}}` when the sources do not give it",
        )
    if "doi" in f and not re.fullmatch(r"10\.[0-9]{4,9}/\S+", f["doi"]):
        add("bib-bad-doi", f": DOI {f['doi']!r} should look like 10.1234/abc (no https://doi.org/ prefix)")
    if "pmid" in f and not re.fullmatch(r"[0-9]{1,9}", f["pmid"]):
        add("bib-bad-pmid", f": PMID {f['pmid']!r} should be digits only")
    if "x-incomplete" in f:
        add("incomplete-citation", f" needs completing: {f['x-incomplete']}", "warning")
    return out


def validate_study(
    doc: Document, bib: Bibliography, vocab: Vocabularies, labels: dict[str, str] | None = None, fast: bool = False
) -> tuple[Study | None, list[Problem]]:
    """One document through every per-file check; a typed Study when it has no errors."""
    if not isinstance(doc.data, dict):
        return None, [
            Problem(
                doc.path,
                1,
                1,
                "not-a-mapping",
                f"a study file is a mapping of fields (id:, reports:, ...), not {_kind(doc.data)}",
            )
        ]
    texts: list[str] = []
    terms: Found = []
    sources: Sources = []
    _scan(doc.data, (), "", texts, terms, sources)
    placeholders = validate_placeholders(doc, texts)
    masked = {(p.line, p.column) for p in placeholders}
    problems = placeholders + [p for p in validate_schema(doc, fast) if (p.line, p.column) not in masked]
    if problems:
        return None, problems
    problems = validate_terms(doc, vocab, terms) + validate_references(doc, bib, sources) + check_dates(doc)
    if problems:
        return None, problems
    labels = labels if labels is not None else {k: bib.label(k) for k in bib.entries}
    study = build_study(doc, vocab, labels)
    return study, check_study(study)


def validate_evidence(
    docs: list[Document],
    bib: Bibliography,
    vocab: Vocabularies | None = None,
    deadline: Deadline | None = None,
    cache: StudyCache | None = None,
) -> Validated:
    """Every study (each file's own checks through `cache`: read back when unchanged), then the rules
    across files (unique ids and anchors)."""
    vocab = vocab or load_vocabularies()
    deadline = deadline or Deadline(len(docs))
    out = Validated(problems=validate_bibliography(bib))
    seen: dict[str, str] = {}
    labels = {k: bib.label(k) for k in bib.entries}
    fast = len(docs) >= FAST_PATH_FROM
    where = reuse.context(vocab) if cache is not None else ""
    for i, doc in enumerate(docs):
        if deadline.over():
            out.problems.append(deadline.problem(doc.path, len(docs) - i))
            break
        key = functools.partial(reuse.check_key, doc=doc, bib=bib, labels=labels, where=where)
        run = functools.partial(_validate_file, bib=bib, vocab=vocab, labels=labels, fast=fast)
        study, problems, found = reuse.validated(cache, doc, key, run)
        out.problems += problems
        if study is None or any(p.is_error for p in problems):
            continue
        if study.id in seen:
            line, col = doc.pos(("id",))
            out.problems.append(
                Problem(
                    doc.path,
                    line,
                    col,
                    "duplicate-id",
                    f"id `{study.id}` is also used by {seen[study.id]}: ids must be unique",
                )
            )
            continue
        seen[study.id] = doc.path
        out.studies.append(study)
        out.discrepancies += found
        out.problems += [d.as_problem() for d in found]
    out.problems += study_anchor_clashes(docs)
    out.studies.sort(key=lambda s: s.id)
    return out


def _validate_file(
    doc: Document, bib: Bibliography, vocab: Vocabularies, labels: dict[str, str], fast: bool
) -> reuse.Result:
    """What depends on the file alone: its problems, its Study (None: errors) and its findings."""
    study, problems = validate_study(doc, bib, vocab, labels, fast)
    if study is None or any(p.is_error for p in problems):
        return None, problems, []
    return study, problems, find_discrepancies(study)


def study_anchor_clashes(docs: list[Document]) -> list[Problem]:
    """Study ids that differ but give the same PDF anchor (`ab-2020`, `ab--2020`), at both files' ids."""
    ids = [
        (d.data["id"], (d.path, *d.pos(("id",))))
        for d in docs
        if isinstance(d.data, dict) and isinstance(d.data.get("id"), str)
    ]
    return anchor_clashes(ids, study_anchor, "study ids")
