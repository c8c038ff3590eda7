"""The per-file part of the build cache: each study file's parsed document and its validation, and
each BibTeX file parsed, by content key. Pure, no disk: `load/cache.py` reads the entries,
`publish/cache.py` writes them back.

A file's key hashes the code version (`salt`), its path as shown and its bytes: one key names one
parse for ever. Its validation also reads the vocabulary, the date and the references it cites, so
an entry keeps each validation under a second key that hashes those too (`validate/reuse.py`).
Cross-file rules (duplicate ids, anchors, references, the search log) are never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evsynth.core.document import Document, Path, Pos
from evsynth.core.problems import Problem

FORMAT = "evsynth-study-cache-1"


@dataclass
class StudyEntry:
    """One study file as parsed (no errors: a file with errors is parsed again) and its validations."""

    doc: Document
    problems: list[Problem]  # warnings from the parse
    checks: dict[str, Any] = field(default_factory=dict)  # by validation key: what validate made of it
    slim: bool = False  # `doc` holds only what the rules across files read (`slim`): as kept in the cache


def slim(doc: Document) -> Document:
    """What the rules across files and the validation key read of a document: its id, its citations and
    the id's place. The rest is parsed again from the file's bytes if the file must be validated again."""
    data = doc.data if isinstance(doc.data, dict) else {}
    kept = {k: data[k] for k in ("id", "citation") if k in data}
    if isinstance(data.get("reports"), dict):
        kept["reports"] = {
            r: {"citation": v.get("citation")} for r, v in data["reports"].items() if isinstance(v, dict)
        }
    places: dict[Path, Pos] = {p: doc.positions[p] for p in ((), ("id",)) if p in doc.positions}
    return Document(doc.path, kept if isinstance(doc.data, dict) else doc.data, places)


@dataclass
class StudyCache:
    """The study files of one build by key: those read back from the cache, those made this build."""

    salt: str
    keys: dict[str, str] = field(default_factory=dict)  # path as shown -> file key
    found: dict[str, StudyEntry] = field(default_factory=dict)  # by file key, read from the cache
    made: dict[str, StudyEntry] = field(default_factory=dict)  # by file key, new this build: to write
    digests: dict[str, str] = field(default_factory=dict)  # path -> validation key of its Study record
    bibs: dict[str, Any] = field(default_factory=dict)  # by file key: a BibTeX file parsed, read back
    bibs_made: dict[str, Any] = field(default_factory=dict)  # by file key: a BibTeX file parsed this build
    whole: bool = True  # every study file of the evidence folder: the entries of no other file are kept
    parse: Callable[[str], Document | None] | None = field(default=None, repr=False)  # the file at a path, again

    def key(self, path: str, data: bytes) -> str:
        """The key of the file at `path` holding `data`, remembered for the build."""
        h = hashlib.sha256(f"{FORMAT}\0{self.salt}\0{path}\0".encode())
        h.update(data)
        self.keys[path] = h.hexdigest()
        return self.keys[path]

    def document(self, doc: Document) -> Document:
        """The whole document of `doc` (read back slim from the cache: parsed again)."""
        entry = self.found.get(self.keys.get(doc.path, ""))
        if entry is None or not entry.slim or entry.doc is not doc or self.parse is None:
            return doc
        return self.parse(doc.path) or doc

    def parsed(self, path: str) -> StudyEntry | None:
        key = self.keys.get(path)
        return None if key is None else self.found.get(key)
