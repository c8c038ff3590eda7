"""Read the build cache (`build/cache`, git-ignored, safe to delete): the rendered pages and figures
of earlier builds by content key (`core.memo`), each study file parsed and validated by the key of its
bytes (`core.studycache`), and the code version every key is salted with.

A cache file that cannot be read (missing, truncated, not JSON, another format) is an empty cache:
the build renders everything and says nothing. Publish writes it back (`publish/cache.py`).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

from evsynth.core.memo import Memo
from evsynth.core.paths import PACKAGE, ROOT, TEMPLATES
from evsynth.core.studycache import StudyCache, StudyEntry

CACHE = ROOT / "build" / "cache"
FORMAT = "evsynth-render-cache-1"
RENDER_FILE = "render.json"


def code_version(folders: tuple[Path, ...] = (PACKAGE, TEMPLATES)) -> str:
    """A hash of every file of the evsynth package and the page templates, and of the libraries'
    versions: a change to any of them is a new version, so no entry made by other code is read back."""
    h = hashlib.sha256(FORMAT.encode() + ",".join(library_versions()).encode())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


LIBRARIES = ("jinja2", "markupsafe", "matplotlib", "numpy", "pandas", "scipy", "pybtex", "latexcodec", "weasyprint")


def library_versions() -> list[str]:
    """The versions of the libraries that shape rendered text (templates, figures, numbers, the PDF)."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in LIBRARIES:
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}: none")
    return out


def read_memo(cache: Path = CACHE, salt: str | None = None) -> Memo:
    """The render memo saved by the last build under `cache` (empty when there is none or it is unreadable)."""
    salt = salt or code_version()
    try:
        data = json.loads((cache / RENDER_FILE).read_text(encoding="utf-8"))
        entries = data["entries"] if data.get("format") == FORMAT and data.get("salt") == salt else {}
        if not (isinstance(entries, dict) and all(isinstance(v, str) for v in entries.values())):
            entries = {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        entries = {}
    return Memo(salt, dict(entries))


STUDIES_DIR = "studies"  # one file per study file, named by its key


class _Unpickler(pickle.Unpickler):
    """Reads back only this package's records, pybtex's entries and plain data: no other class, no function."""

    def find_class(self, module: str, name: str) -> Any:
        if (
            module.split(".")[0] == "evsynth"
            or module in ("pybtex.database", "pybtex.utils")
            or (module, name) in _PLAIN
        ):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not read from the cache")


_PLAIN = {("datetime", "date"), ("builtins", "set"), ("builtins", "frozenset"), ("collections", "OrderedDict")}


def read_studies(
    files: list[tuple[str, bytes]], cache: Path | None = CACHE, bibs: list[tuple[str, bytes]] | None = None
) -> StudyCache:
    """The keys of the study and BibTeX files (path as shown, bytes) and the entries the cache holds for
    them; an entry that cannot be read (missing, truncated, another format) is none."""
    studies = StudyCache(code_version())
    for path, data in files:
        key = studies.key(path, data)
        entry = _read_entry(cache, key) if cache is not None else None
        if isinstance(entry, StudyEntry) and isinstance(entry.checks, dict) and entry.doc.path == path:
            studies.found[key] = entry
    for path, data in bibs or []:
        key = studies.key(path, data)
        entry = _read_entry(cache, key) if cache is not None else None
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], list):
            studies.bibs[key] = entry
    return studies


def _read_entry(cache: Path, key: str) -> Any:
    try:
        with open(cache / STUDIES_DIR / key, "rb") as f:
            return _Unpickler(f).load()
    except Exception:  # missing, or damaged whatever the damage: no entry
        return None
