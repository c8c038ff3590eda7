"""Write the build cache back (`load/cache.py` reads it): the rendered entries the last build used and
the study files it parsed and validated anew, atomically, so an interrupted write leaves the previous
cache or none, never half of one."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from evsynth.core.memo import Memo, fingerprint
from evsynth.core.paths import MKDOCS_CONFIG, PACKAGE, SITE_SRC
from evsynth.core.studycache import StudyCache, StudyEntry, slim
from evsynth.load.cache import CACHE, FORMAT, RENDER_FILE, STUDIES_DIR


def save_memo(memo: Memo, cache: Path = CACHE) -> None:
    """Keep what this build used (older entries are dropped); a failure to write is no failure of the build."""
    tmp = None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".render-", dir=cache)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"format": FORMAT, "salt": memo.salt, "entries": memo.kept()}, f)
        os.replace(tmp, cache / RENDER_FILE)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def save_studies(studies: StudyCache, cache: Path = CACHE) -> None:
    """Write the study and BibTeX files' entries made this build, each atomically; after a build of the whole
    folder, remove the entries of files that are no more. A failure to write is no failure of the build."""
    folder = cache / STUDIES_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        kept = {k: StudyEntry(slim(e.doc), e.problems, e.checks, True) for k, e in studies.made.items()}
        for key, entry in (kept | studies.bibs_made).items():
            _write_atomically(folder / key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        if studies.whole:
            used = set(studies.keys.values())
            for old in folder.iterdir():
                if old.name not in used:
                    old.unlink(missing_ok=True)
    except OSError:
        pass


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".study-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


STAMP = "site-stamp.json"


def site_digest(parts: list[Any], folders: tuple[Path, ...] = (SITE_SRC, PACKAGE / "publish", MKDOCS_CONFIG)) -> str:
    """A hash of everything a site build reads: `parts` (the generated files, nav, footer, date, engine,
    downloads), the hand-written pages, overrides and configuration, the publish code, the engines' versions."""
    h = hashlib.sha256(FORMAT.encode())
    h.update(fingerprint([parts, _versions()]).encode())
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts:
                h.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("mkdocs", "mkdocs-material", "zensical", "weasyprint"):
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}: none")
    return out


def _listing(out: Path) -> str:
    """What is in the built folder now (names, sizes, times): a site changed or removed since is rebuilt."""
    if not out.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(out.rglob("*")):
        st = path.lstat()
        h.update(f"{path.relative_to(out)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def site_up_to_date(work: Path, out: Path, digest: str) -> bool:
    """Whether `out` still holds the last successful build, made from inputs hashing to `digest`."""
    try:
        stamp = json.loads((work / STAMP).read_text(encoding="utf-8"))
        return bool(
            stamp["digest"] == digest and stamp["out"] == str(out.resolve()) and stamp["listing"] == _listing(out)
        )
    except (OSError, ValueError, TypeError, KeyError):
        return False


def record_site(work: Path, out: Path, digest: str | None) -> None:
    """Stamp a successful build (None: forget any stamp)."""
    try:
        if digest is None:
            (work / STAMP).unlink(missing_ok=True)
            return
        stamp = {"digest": digest, "out": str(out.resolve()), "listing": _listing(out)}
        (work / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    except OSError:
        pass
