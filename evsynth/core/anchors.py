"""Link anchors made from study ids and citation keys, and the rule that they stay unique.

The render side turns a citation key into a footnote id (`views.footnote_id`) and a study page
path into a PDF anchor (`pdf.page_anchor`). Both transformations lose information (`atk.2020` and
`atk-2020` give the same footnote; `ab-2020` and `ab--2020` the same PDF anchor), so two inputs
could silently share a link target. They are replicated here (a test keeps them in step with the
originals) and `check` refuses ids and keys that collide after them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from evsynth.core.problems import Problem

Place = tuple[str, int, int]  # file, line, column


def citation_anchor(key: str) -> str:
    """As `views.footnote_id`; compared without case (pybtex keys are case-insensitive)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", key).lower()


def study_anchor(study_id: str) -> str:
    """As `pdf.page_anchor` of the study's page, `studies/<id>/index.md`."""
    path = f"studies/{study_id}/index.md"
    return "p-" + (re.sub(r"[^a-z0-9]+", "-", path.removesuffix("index.md").lower()).strip("-") or "home")


def anchor_clashes(named: Iterable[tuple[str, Place]], make: Callable[[str], str], what: str) -> list[Problem]:
    """A problem at both places of every pair of different names that give the same anchor."""
    first: dict[str, tuple[str, Place]] = {}
    problems = []
    for name, place in named:
        anchor = make(name)
        other, there = first.setdefault(anchor, (name, place))
        if other != name:
            problems += [
                _clash(what, name, place, other, there, anchor),
                _clash(what, other, there, name, place, anchor),
            ]
    return problems


def _clash(what: str, name: str, place: Place, other: str, there: Place, anchor: str) -> Problem:
    return Problem(
        place[0],
        place[1],
        place[2],
        "anchor-clash",
        f"{what} `{name}` and `{other}` ({there[0]}:{there[1]}) become the same link anchor "
        f"`{anchor}`: rename one (letters, digits and single hyphens)",
    )
