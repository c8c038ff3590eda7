"""Part of stage 1, load: what git knows about the evidence (changed files, the changelog)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from evsynth.core.problems import Problem


def _git(root: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


def changed_studies(evidence: Path, base: str) -> tuple[list[Path], list[Problem]]:
    """Study files that differ from `base` (committed since it, staged, unstaged or untracked)."""
    root_text = _git(evidence, "rev-parse", "--show-toplevel")
    if root_text is None:
        return [], [Problem(str(evidence), 0, 0, "unreadable", "--changed needs a git checkout")]
    root = Path(root_text.strip())
    merge_base = _git(root, "merge-base", base, "HEAD")
    if merge_base is None:
        return [], [
            Problem(
                str(evidence),
                0,
                0,
                "unreadable",
                f"--changed: no branch {base!r} to compare with (fetch it, or pass --base REF)",
            )
        ]
    names: set[str] = set()
    for args in (
        ("diff", "-z", "--name-only", "--diff-filter=ACMR", merge_base.strip()),
        ("ls-files", "-z", "--others", "--exclude-standard"),
    ):
        names |= set((_git(root, *args) or "").split("\0"))  # -z: names as they are, newlines included
    folder = evidence.resolve()
    # links, .yml files and odd names are kept: reading them refuses them with a clear problem
    found = sorted(
        {
            root / n
            for n in names
            if n.lower().endswith((".yaml", ".yml"))
            and (root / n).parent.resolve() == folder
            and os.path.lexists(root / n)
        }
    )
    return found, []


@dataclass(frozen=True)
class Change:
    date: str
    study: str
    action: str  # "added", "changed" or "removed"
    subject: str
    commit: str


def evidence_history(evidence: Path) -> list[Change] | None:
    """Every commit that touched a study file, newest first; None outside a git checkout."""
    out = _git(evidence, "log", "--format=@@%h%x09%cs%x09%s", "--name-status", "--", ".")
    if out is None:
        return None
    changes: list[Change] = []
    commit = date = subject = ""
    for line in out.splitlines():
        if line.startswith("@@"):
            commit, date, subject = (line[2:].split("\t", 2) + ["", ""])[:3]
        elif line.strip():
            status, _, name = line.partition("\t")
            name = name.split("\t")[-1]
            if name.endswith(".yaml") and "/" not in name.rstrip("/").split("evidence/")[-1]:
                action = {"A": "added", "D": "removed"}.get(status[:1], "changed")
                changes.append(Change(date, Path(name).stem, action, subject, commit))
    return changes


def last_evidence_date(evidence: Path) -> str | None:
    """The date of the last commit that touched the evidence (the build's date, not the clock's)."""
    out = _git(evidence, "log", "-1", "--format=%cs", "--", ".")
    return out.strip() or None if out else None
