"""Harms as outcomes: complications by seriousness, counted only where the unit is patients."""

from __future__ import annotations

from dataclasses import dataclass

from evsynth.core.model import Study
from evsynth.synthesis.tables import patients


@dataclass(frozen=True)
class Harms:
    """One intervention group's complications, as the studies report them."""

    serious: int  # serious events counted in patients
    minor: int
    unstated: int  # events counted in patients whose seriousness the paper does not give
    other_units: int  # events counted per procedure, vertebra... or in a unit not stated: not added up
    patients: int  # patients treated in the studies that report complications
    studies: int


def harms(studies: list[Study]) -> Harms:
    """Complication counts of a group by seriousness (a count of 0 is a reported 'none')."""
    serious = minor = unstated = other = treated = reporting = 0
    for s in studies:
        counted = [c for c in s.complications if c.n is not None]
        if any((c.per or "not-stated") == "patients" for c in counted):  # a study counting harms in patients
            reporting += 1
            treated += patients(s) or 0
        for c in counted:
            n = int(c.n.value) if c.n is not None else 0
            if (c.per or "not-stated") != "patients":
                other += n
            elif c.seriousness == "serious":
                serious += n
            elif c.seriousness == "minor":
                minor += n
            else:
                unstated += n
    return Harms(serious, minor, unstated, other, treated, reporting)
