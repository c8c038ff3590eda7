"""One study file's validation through the build cache (`core.studycache`): read back when the file,
the code, the vocabulary, the date and the references it cites are those it was validated with.

What is kept depends on the file alone: its schema and semantic problems, its typed `Study` and its
data-quality findings. The rules across files run over every study in every build (`checks`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from evsynth.core.document import Document
from evsynth.core.memo import fingerprint
from evsynth.core.model import Study
from evsynth.core.problems import Problem
from evsynth.core.studycache import StudyCache, StudyEntry
from evsynth.core.vocab import Vocabularies
from evsynth.load.files import Bibliography
from evsynth.validate.discrepancy import Discrepancy
from evsynth.validate.inputrules import today

Result = tuple[Study | None, list[Problem], list[Discrepancy]]  # the Study (None: errors), problems, findings


def context(vocab: Vocabularies) -> str:
    """What every file's validation reads besides the file: the vocabulary and today's date."""
    return fingerprint([vocab.raw, today().isoformat()])


def _cited(data: Any) -> list[str]:
    """The citation keys a study file names (its own, its reports'): the only references it reads."""
    if not isinstance(data, dict):
        return []
    keys = [data.get("citation")]
    reports = data.get("reports")
    if isinstance(reports, dict):
        keys += [r.get("citation") for r in reports.values() if isinstance(r, dict)]
    return sorted({k for k in keys if isinstance(k, str)})


def check_key(file_key: str, doc: Document, bib: Bibliography, labels: dict[str, str], where: str) -> str:
    """The key of one validation: the file's key, the `context`, each cited reference's presence and label."""
    h = hashlib.sha256(f"{file_key}\0{where}\0".encode())
    for k in _cited(doc.data):
        h.update(f"{k}\0{k in bib.entries}\0{labels.get(k)}\0".encode())
    return h.hexdigest()


def validated(
    cache: StudyCache | None, doc: Document, key: Callable[[str], str], run: Callable[[Document], Result]
) -> Result:
    """`run(doc)` (the file's validation), or what it gave before for the same key; a new result is kept
    in `cache.made` for publish to write, and its key names the Study in `cache.digests`."""
    file_key = cache.keys.get(doc.path) if cache is not None else None
    if cache is None or file_key is None:
        return run(doc)
    entry = cache.made.get(file_key) or cache.found.get(file_key)
    at = key(file_key)
    result: Result | None = entry.checks.get(at) if entry is not None else None
    if not (isinstance(result, tuple) and len(result) == 3):  # none, or damaged: validate again
        whole = cache.document(doc)  # read back slim from the cache: the whole document again
        result = run(whole)
        cache.made[file_key] = StudyEntry(whole, entry.problems if entry else [], {at: result})
    if result[0] is not None:
        cache.digests[doc.path] = at
    return result
