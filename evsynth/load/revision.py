"""Part of stage 1, load: the study and BibTeX files as a git revision holds them (for `diff`).

Nothing is checked out or written: the files are read from git's objects into memory, with the same
rules as files on disk (safe names, regular files only, at most MAX_BYTES + 1 bytes read).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from evsynth.core.problems import Problem
from evsynth.load.files import _LOOKALIKES, RawFile, display_path, refuse_name
from evsynth.load.yamlio import MAX_BYTES

_SYMLINK, _FILE_MODES = "120000", ("100644", "100755")


def _git(folder: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        r = subprocess.run(["git", "-C", str(folder), *args], input=stdin, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


def _problem(folder: Path, message: str) -> Problem:
    return Problem(display_path(folder), 0, 0, "unreadable", message)


def base_commit(folder: Path, ref: str) -> str | Problem:
    """The commit to compare with: where the current branch left `ref` (their merge base), else `ref`."""
    if _git(folder, "rev-parse", "--show-toplevel") is None:
        return _problem(folder, f"needs a git repository, and {display_path(folder)} is not in one")
    commit = None if ref.startswith("-") else _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit is None:
        return _problem(folder, f"no commit or branch {ref!r} to compare with (fetch it, or give another --base REF)")
    sha = commit.decode().strip()
    merge_base = _git(folder, "merge-base", sha, "HEAD")
    return merge_base.decode().strip() if merge_base else sha


def _entries(folder: Path, commit: str) -> list[tuple[str, str, str, str]] | None:
    """(mode, type, object, name) of every entry directly in `folder` at `commit`."""
    out = _git(folder, "ls-tree", "-z", commit, "--", ".")
    if out is None:
        return None
    entries = []
    for line in out.decode("utf-8", "surrogateescape").split("\0"):
        head, _, name = line.partition("\t")
        if head.count(" ") == 2:
            mode, kind, obj = head.split(" ")
            entries.append((mode, kind, obj, name))
    return entries


def _blobs(folder: Path, objects: list[str]) -> dict[str, bytes]:
    """The content of each blob (its first MAX_BYTES + 1 bytes), read in one `git cat-file --batch`."""
    if not objects:
        return {}
    out = _git(folder, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in objects).encode()) or b""
    found, at = {}, 0
    while at < len(out):
        end = out.index(b"\n", at)
        head = out[at:end].decode().split(" ")
        if len(head) != 3:  # "<object> missing": nothing more to read
            break
        obj, size, start = head[0], head[2], end + 1
        found[obj] = out[start : start + min(int(size), MAX_BYTES + 1)]
        at = start + int(size) + 1
    return found


def files_at(folder: Path, commit: str, suffix: str) -> tuple[list[RawFile], list[Problem]]:
    """The would-be study (`.yaml`) or BibTeX (`.bib`) files directly in `folder` at `commit`, in name
    order, with a problem for each that reading them from disk would refuse (a link, a folder, a bad name)."""
    entries = _entries(folder, commit)
    if entries is None:  # the folder did not exist then
        return [], []
    kept, problems = [], []
    for mode, kind, obj, name in sorted(entries, key=lambda e: e[3]):
        path = folder / name
        if Path(name).suffix.lower() not in _LOOKALIKES[suffix]:
            continue
        refused = refuse_name(path, suffix)
        if refused is None and (kind != "blob" or mode not in _FILE_MODES):
            what = "a symbolic link" if mode == _SYMLINK else "not a regular file"
            refused = Problem(display_path(path), 1, 1, "not-a-regular-file", f"this was {what} at the base")
        if refused:
            problems.append(refused)
        else:
            kept.append((display_path(path), obj))
    blobs = _blobs(folder, [obj for _, obj in kept])
    return [RawFile(shown, blobs[obj]) for shown, obj in kept if obj in blobs], problems
