"""Rules over facts a paper states once in one place and again, or by implication, elsewhere: the
metastatic sites that solitary and multiple metastases need, the year another paper's table gives a
study, and one drug printed under several names. Pure functions of a typed study; `quality` runs
them on every study. Nothing here names a study."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace

from evsynth.core.model import Study
from evsynth.core.vocab import Vocabularies, fold
from evsynth.validate.discrepancy import Discrepancy, _disc, _entry, _fmt

YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2})\b")


def metastases_sites(study: Study) -> Iterator[Discrepancy]:
    """Solitary metastases take one site each and multiple ones at least two: the sites printed must
    be at least solitary + 2 x multiple."""
    for r in study.population:
        m = r.metastases
        if m is None or m.solitary is None or m.multiple is None or m.sites is None:
            continue
        need = float(m.solitary) + 2 * float(m.multiple)
        if float(m.sites) < need:
            yield _disc(
                study,
                "metastases-sites",
                "population: metastatic sites",
                f"{_fmt(float(m.solitary))} solitary and {_fmt(float(m.multiple))} multiple metastases need at "
                f"least {_fmt(need)} sites (two or more for each multiple), but {_fmt(float(m.sites))} are printed",
                _entry(m.solitary),
                _entry(m.multiple),
                _entry(m.sites),
            )


def cited_years(study: Study) -> Iterator[Discrepancy]:
    """A report that names the study with a year (another paper's table: 'Chiras (1998)') other than
    the year of the study's own reference."""
    if study.year is None:
        return
    for r in study.reports.values():
        years = {int(y) for y in YEAR.findall(r.cited_as or "")}
        for y in sorted(years - {study.year}):
            found = _disc(
                study,
                "cited-year",
                "year of the study",
                f"{r.label} names the study '{r.cited_as}', with the year {y}; its reference gives {study.year}",
                (str(y), None, r.label),
                (str(study.year), None, f"the reference list entry of {study.label}"),
            )
            yield replace(found, anchor=r.line or 1)


def naming_drift(study: Study, vocab: Vocabularies) -> Iterator[Discrepancy]:
    """One drug printed under several names (generic, brand, misspelling): information, with whether the
    vocabulary reads every name as that drug."""
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for d in study.intervention.drugs:
        for name in d.printed_as:
            names[d.drug].setdefault(fold(name), name)
    drugs = vocab.get("drugs")
    for drug, printed in names.items():
        if len(printed) < 2:
            continue
        unknown = [n for n in printed.values() if drugs.canonical(n) != drug]
        known = (
            "every name reads as that drug in the vocabulary"
            if not unknown
            else ("not in the vocabulary yet: " + ", ".join(unknown) + " (add as synonyms)")
        )
        found = _disc(
            study,
            "naming-drift",
            f"names of {drug}",
            f"{drugs.label(drug)} is printed as " + ", ".join(printed.values()) + f": {known}",
            *((n, None, study.intervention.source.label) for n in printed.values()),
        )
        yield replace(found, anchor=study.intervention.line)


__all__ = ["cited_years", "metastases_sites", "naming_drift"]
