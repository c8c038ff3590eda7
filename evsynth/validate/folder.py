"""Rules for a file checked on its own (`check FILE`, `check --changed`) against the evidence folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evsynth.core.anchors import study_anchor
from evsynth.core.document import Document
from evsynth.core.problems import Problem
from evsynth.load.files import display_path
from evsynth.validate.checks import Validated


def folder_clashes(
    validated: Validated, docs: list[Document], folder: Sequence[Path], checked: Sequence[Path]
) -> list[Problem]:
    """A checked file must not reuse the id, or the link anchor, of another study in the folder."""
    own = {p.resolve() for p in checked}
    return _id_clashes(validated, folder, own) + _anchor_clashes(docs, folder, own)


def _id_clashes(validated: Validated, folder: Sequence[Path], own: set[Path]) -> list[Problem]:
    by_stem = {p.stem: p for p in folder}
    out = []
    for s in validated.studies:
        other = by_stem.get(s.id)
        if other is not None and other.resolve() not in own:
            out.append(
                Problem(
                    s.path,
                    1,
                    1,
                    "duplicate-id",
                    f"id `{s.id}` is already used by {display_path(other)}: choose another id",
                )
            )
    return out


def _anchor_clashes(docs: list[Document], folder: Sequence[Path], own: set[Path]) -> list[Problem]:
    anchors = {study_anchor(p.stem): p for p in folder if p.resolve() not in own}
    out = []
    for d in docs:
        sid = d.data.get("id") if isinstance(d.data, dict) else None
        other = anchors.get(study_anchor(sid)) if isinstance(sid, str) else None
        if other is not None and other.stem != sid:
            line, col = d.pos(("id",))
            out.append(
                Problem(
                    d.path,
                    line,
                    col,
                    "anchor-clash",
                    f"study id `{sid}` and `{other.stem}` "
                    f"({display_path(other)}) become the same link anchor: rename one",
                )
            )
    return out
