"""Harms as outcomes: complications by seriousness, counted only where the unit is patients."""

from __future__ import annotations

from dataclasses import dataclass

from evsynth.core.model import Study
from evsynth.synthesis.tables import patients


@dataclass(frozen=True)
class Harms:
    """One intervention group's complications, as the studies report them.

    A serious-complication rate needs studies that grade their complications: `serious` and
    `minor` come only from those (`graded`, `graded_patients`); a study that counts complications
    without grading them adds nothing to either (never a '0 serious')."""

    serious: int  # serious events counted in patients
    minor: int
    unstated: int  # events counted in patients whose seriousness the paper does not give (rows may overlap)
    other_units: int  # events counted per procedure, vertebra... or in a unit not stated: not added up
    patients: int  # patients treated in the studies that report complications in patients
    studies: int  # studies that report complications in patients
    graded: int = 0  # of those, studies that grade at least one complication
    graded_patients: int = 0
    serious_other_units: int = 0  # serious events counted in another unit: named, not added


def _grades(s: Study) -> bool:
    return any(c.seriousness in ("serious", "minor") for c in s.complications if (c.per or "not-stated") == "patients")


def harms(studies: list[Study]) -> Harms:
    """Complication counts of a group by seriousness (a count of 0 is a reported 'none')."""
    serious = minor = unstated = other = serious_other = treated = reporting = graded = graded_treated = 0
    for s in studies:
        counted = [c for c in s.complications if c.n is not None]
        if any((c.per or "not-stated") == "patients" for c in counted):  # a study counting harms in patients
            reporting += 1
            treated += patients(s) or 0
            if _grades(s):
                graded += 1
                graded_treated += patients(s) or 0
        for c in counted:
            n = int(c.n.value) if c.n is not None else 0
            if (c.per or "not-stated") != "patients":
                other += n
                serious_other += n if c.seriousness == "serious" else 0
            elif c.seriousness == "serious":
                serious += n
            elif c.seriousness == "minor":
                minor += n
            else:
                unstated += n
    return Harms(serious, minor, unstated, other, treated, reporting, graded, graded_treated, serious_other)
