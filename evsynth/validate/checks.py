"""Stage 2, validate: schema, vocabulary, references, semantic rules and data quality.

Validation happens once, here. It returns typed `Study` records for the files with no
errors, every `Problem` found (errors and warnings) and the source discrepancies.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Callable, Iterator

import jsonschema
from jsonschema.exceptions import ValidationError

from evsynth.core.anchors import anchor_clashes, citation_anchor, study_anchor
from evsynth.cite.vancouver import plain_text, vancouver_name
from evsynth.validate.inputrules import (Deadline, bib_budget_problems, bib_label_problems, bib_latex_problems, check_dates,
                         today)
from evsynth.core.limits import EARLIEST_YEAR
from evsynth.load.files import Bibliography
from evsynth.core.model import Study, build_study
from evsynth.core.problems import Problem
from evsynth.validate.quality import Discrepancy, find_discrepancies
from evsynth.validate.rules import check_study
from evsynth.core.schema import study_schema
from evsynth.core.vocab import FIELD_VOCABULARY, Vocabularies, load_vocabularies
from evsynth.load.yamlio import Document, Path

PLACEHOLDER = re.compile(r"\bTODO\b|<fill[^<>]*>|\bFIXME\b", re.IGNORECASE)  # [^<>]: linear on "<fill<fill..."


@dataclass
class Validated:
    studies: list[Study] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(study_schema())


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:60]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "an empty value"


_TYPE_WORDS = {"integer": "a whole number", "number": "a number", "string": "text", "object": "a mapping",
               "array": "a list", "boolean": "true or false"}


def _any(x: object) -> Any:
    return x


_RATIO = re.compile(r"\s*[0-9]+\s*/\s*[0-9]")  # 'n/N' (on at most 100 characters: no backtracking cost)


def _type_message(err: ValidationError) -> str:
    value: Any = err.validator_value
    expected: list[str] = value if isinstance(value, list) else [value]
    words = [_TYPE_WORDS.get(t, t) for t in expected]
    if "object" in expected and len(expected) == 2:
        want = f"{words[0]} (or a mapping with `value:` and its provenance)"
    else:
        want = " or ".join(words)
    hint = ""
    if isinstance(err.instance, str) and err.instance.strip().endswith("%"):
        hint = "; write the count here and put a percentage under `percent:`"
    elif isinstance(err.instance, str) and _RATIO.match(err.instance[:100]):
        hint = "; split 'n/N' into `n:` and `of:` (and `printed:` for the text as printed)"
    return f"should be {want}, not {_kind(err.instance)}{hint}"


def _schema_problems(doc: Document, err: ValidationError) -> Iterator[Problem]:
    path = tuple(err.absolute_path)
    name = dotted(path)
    kw, schema, expected, instance = str(err.validator), _any(err.schema), _any(err.validator_value), _any(err.instance)
    if kw == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        unknown = [k for k in instance if k not in allowed]
        if len(unknown) > MAX_UNKNOWN_KEYS:
            line, col = doc.pos(path + (unknown[MAX_UNKNOWN_KEYS],), key=True)
            yield Problem(doc.path, line, col, "unknown-field",
                          f"and {len(unknown) - MAX_UNKNOWN_KEYS:,} more unknown fields in {name}: "
                          "is this a study file?")
        for key in unknown[:MAX_UNKNOWN_KEYS]:
            line, col = doc.pos(path + (key,), key=True)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            fix = f"did you mean `{close[0]}`?" if close else f"allowed here: {', '.join(allowed)}"
            if " " in key.strip():
                fix = "this looks like text cut at a comma inside { }: quote the whole text"
            yield Problem(doc.path, line, col, "unknown-field", f"unknown field `{key}` in {name}: {fix}")
        return
    line, col = doc.pos(path)
    desc = schema.get("description", "") if isinstance(schema, dict) else ""
    if kw == "required":
        props = schema.get("properties", {})
        for req in expected:
            if isinstance(instance, dict) and req not in instance:
                what = props.get(req, {}).get("description", "")
                yield Problem(doc.path, line, col, "missing-field",
                              f"{name} needs `{req}`" + (f": {what}" if what else ""))
        return
    if kw == "type":
        code, msg = "wrong-type", f"`{name}` {_type_message(err)}"
    elif kw in ("enum", "const"):
        options = expected if kw == "enum" else [expected]
        close = difflib.get_close_matches(str(instance), [str(o) for o in options], n=1, cutoff=0.5)
        fix = f"did you mean `{close[0]}`?" if close else f"use one of: {', '.join(map(str, options))}"
        code, msg = "unknown-value", f"`{name}` is {_kind(instance)}: {fix}"
    elif kw in ("minimum", "maximum"):
        bound = "at least" if kw == "minimum" else "at most"
        code = "negative-count" if kw == "minimum" and expected == 0 else "out-of-range"
        msg = f"`{name}` is {instance}; it must be {bound} {expected}"
    elif kw in ("pattern", "propertyNames", "minLength"):
        code, msg = "bad-format", f"`{name}` is {_kind(instance)}; expected: {desc or err.message}"
    elif kw in ("minItems", "minProperties"):
        code, msg = "empty", f"`{name}` is empty: fill it in or remove it"
    elif kw == "maxLength":
        code, msg = "value-too-long", f"`{name}` is {len(instance):,} characters; at most {expected:,} here: shorten it"
    elif kw in ("maxItems", "maxProperties"):
        code, msg = "too-many-items", f"`{name}` has {len(instance):,} items; at most {expected:,} here: trim it"
    else:
        code, msg = "schema", f"`{name}`: {err.message}"
    yield Problem(doc.path, line, col, code, msg)


MAX_UNKNOWN_KEYS = 20  # per mapping: past that, one summary line (a 60,000-key file is not a typo)
FAST_PATH_FROM = 50  # files: below this the fast validator's 0.4 s compile costs more than it saves


@lru_cache(maxsize=1)
def _fast_validator() -> Callable[[Any], Any]:
    """A compiled validator that only answers 'valid or not'; jsonschema explains the invalid files."""
    import fastjsonschema
    return fastjsonschema.compile(study_schema())


def schema_valid_fast(data: Any) -> bool:
    import fastjsonschema
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validate_schema(doc: Document, fast: bool = False) -> list[Problem]:
    """Schema problems of one document; `fast` skips the detailed check when the compiled one passes."""
    if fast and schema_valid_fast(doc.data):
        return []
    problems: list[Problem] = []
    for err in _validator().iter_errors(doc.data):
        problems += _schema_problems(doc, err)
    return problems


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


def validate_placeholders(doc: Document) -> list[Problem]:
    """Template placeholders (TODO) left in the file: one problem each, with its place."""
    problems = []
    for path, _, text in _walk_strings(doc.data, ()):
        if PLACEHOLDER.search(text):
            line, col = doc.pos(path)
            problems.append(Problem(doc.path, line, col, "placeholder",
                                    f"`{dotted(path)}` still holds a placeholder ({text[:40]!r}): "
                                    "replace it with what the paper says, or delete the line"))
    return problems


def validate_terms(doc: Document, vocab: Vocabularies) -> list[Problem]:
    """Vocabulary fields (agents, drugs, primaries, sites, category) must use known terms."""
    problems = []
    for path, key, text in _walk_strings(doc.data, ()):
        if PLACEHOLDER.search(text):
            continue
        name = FIELD_VOCABULARY.get(key)
        if name is None or path[0] in ("reports", "extraction"):
            continue
        v = vocab.get(name)
        if v.canonical(text) is None:
            line, col = doc.pos(path)
            close = v.suggest(text)
            fix = f"did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else \
                f"add it to evsynth/vocabulary.yaml under `{name}` if it is a new term"
            problems.append(Problem(doc.path, line, col, "unknown-term",
                                    f"`{dotted(path)}`: {text!r} is not in the {name} vocabulary: {fix}"))
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


def validate_references(doc: Document, bib: Bibliography) -> list[Problem]:
    """The id matches the file name; citations exist in references/; sources name listed reports."""
    data, problems = doc.data, []

    def add(path: Path, code: str, msg: str, key: bool = False) -> None:
        line, col = doc.pos(path, key=key)
        problems.append(Problem(doc.path, line, col, code, msg))

    stem = PurePath(doc.path).stem
    if data["id"] != stem:
        add(("id",), "id-mismatch", f"id `{data['id']}` differs from the file name `{stem}.yaml`: "
            "rename the file or change the id")
    for rid, report in data["reports"].items():
        if report["citation"] not in bib.entries:
            add(("reports", rid, "citation"), "unknown-citation",
                f"citation `{report['citation']}` is not in references/: add a BibTeX entry with that key")
    if data["citation"] not in bib.entries:
        add(("citation",), "unknown-citation", f"citation `{data['citation']}` is not in references/")
    for path, rid in _sources(data, ()):
        if rid not in data["reports"]:
            add(path, "unknown-report", f"source report `{rid}` is not listed under `reports:` "
                f"(listed: {', '.join(data['reports'])})")
    return problems


def validate_bibliography(bib: Bibliography) -> list[Problem]:
    """Each entry has an author and a year; a title unless marked incomplete; well-formed DOI/PMID."""
    problems = []
    for key, entry in bib.entries.items():
        path, line = bib.where[key]
        f = entry.fields
        incomplete = f.get("x-incomplete")
        if not entry.persons.get("author"):
            problems.append(Problem(path, line, 1, "bib-missing-author", f"entry `{key}` has no author"))
        year = str(f.get("year", ""))
        if not re.fullmatch(r"[0-9]{4}", year) or not EARLIEST_YEAR <= int(year) <= today().year + 1:
            problems.append(Problem(path, line, 1, "bib-bad-year", f"entry `{key}` needs a four-digit year "
                                    f"from {EARLIEST_YEAR} to next year"))
        if "title" not in f and not incomplete:
            problems.append(Problem(path, line, 1, "bib-missing-title",
                                    f"entry `{key}` has no title: add it, or mark the entry "
                                    "`x-incomplete = {{why}}` when the sources do not give it"))
        if "doi" in f and not re.fullmatch(r"10\.[0-9]{4,9}/\S+", f["doi"]):
            problems.append(Problem(path, line, 1, "bib-bad-doi", f"entry `{key}`: DOI {f['doi']!r} "
                                    "should look like 10.1234/abc (no https://doi.org/ prefix)"))
        if "pmid" in f and not re.fullmatch(r"[0-9]{1,9}", f["pmid"]):
            problems.append(Problem(path, line, 1, "bib-bad-pmid", f"entry `{key}`: PMID {f['pmid']!r} "
                                    "should be digits only"))
        if incomplete:
            problems.append(Problem(path, line, 1, "incomplete-citation",
                                    f"entry `{key}` needs completing: {incomplete}", "warning"))
        budget = bib_budget_problems(key, entry, (path, line))
        latex = budget or bib_latex_problems(key, entry, (path, line), plain_text, vancouver_name)
        problems += latex
        if entry.persons.get("author") and not latex:
            problems += bib_label_problems(key, entry, (path, line), bib.label)
    keys = ((key, (bib.where[key][0], bib.where[key][1], 1)) for key in bib.entries)
    return problems + anchor_clashes(keys, citation_anchor, "citation keys")


def validate_study(doc: Document, bib: Bibliography, vocab: Vocabularies, labels: dict[str, str] | None = None,
                   fast: bool = False) -> tuple[Study | None, list[Problem]]:
    """One document through every per-file check; a typed Study when it has no errors."""
    if not isinstance(doc.data, dict):
        return None, [Problem(doc.path, 1, 1, "not-a-mapping",
                              f"a study file is a mapping of fields (id:, reports:, ...), not {_kind(doc.data)}")]
    placeholders = validate_placeholders(doc)
    masked = {(p.line, p.column) for p in placeholders}
    problems = placeholders + [p for p in validate_schema(doc, fast) if (p.line, p.column) not in masked]
    if problems:
        return None, problems
    problems = validate_terms(doc, vocab) + validate_references(doc, bib) + check_dates(doc)
    if problems:
        return None, problems
    labels = labels if labels is not None else {k: bib.label(k) for k in bib.entries}
    study = build_study(doc, vocab, labels)
    return study, check_study(study)


def validate_evidence(docs: list[Document], bib: Bibliography, vocab: Vocabularies | None = None,
                      deadline: Deadline | None = None) -> Validated:
    """Every study, then the rules across files (unique ids and anchors), then the data-quality report."""
    vocab = vocab or load_vocabularies()
    deadline = deadline or Deadline(len(docs))
    out = Validated(problems=validate_bibliography(bib))
    seen: dict[str, str] = {}
    labels = {k: bib.label(k) for k in bib.entries}
    fast = len(docs) >= FAST_PATH_FROM
    for i, doc in enumerate(docs):
        if deadline.over():
            out.problems.append(deadline.problem(doc.path, len(docs) - i))
            break
        study, problems = validate_study(doc, bib, vocab, labels, fast)
        out.problems += problems
        if study is None or any(p.is_error for p in problems):
            continue
        if study.id in seen:
            line, col = doc.pos(("id",))
            out.problems.append(Problem(doc.path, line, col, "duplicate-id",
                                        f"id `{study.id}` is also used by {seen[study.id]}: ids must be unique"))
            continue
        seen[study.id] = doc.path
        out.studies.append(study)
        found = find_discrepancies(study)
        out.discrepancies += found
        out.problems += [d.as_problem() for d in found]
    out.problems += study_anchor_clashes(docs)
    out.studies.sort(key=lambda s: s.id)
    return out


def study_anchor_clashes(docs: list[Document]) -> list[Problem]:
    """Study ids that differ but give the same PDF anchor (`ab-2020`, `ab--2020`), at both files' ids."""
    ids = [(d.data["id"], (d.path, *d.pos(("id",)))) for d in docs
           if isinstance(d.data, dict) and isinstance(d.data.get("id"), str)]
    return anchor_clashes(ids, study_anchor, "study ids")
