"""Studies grouped for the browsing pages: by agent or drug, primary tumour, region treated, decade."""

from __future__ import annotations

from collections import Counter, defaultdict

from evsynth.core.model import Study
from evsynth.core.vocab import Vocabularies
from evsynth.load.vocabulary import load_vocabularies


def agent_view(studies: list[Study], vocab: Vocabularies | None = None) -> dict[str, list[Study]]:
    """Canonical embolic agent or drug -> the studies that used it."""
    vocab = vocab or load_vocabularies()
    out: dict[str, set[str]] = defaultdict(set)
    for s in studies:
        for e in s.intervention.embolics:
            for a in e.agents:
                out[f"embolic:{a}"].add(s.id)
        for d in s.intervention.drugs:
            if (d.role or "anticancer") == "anticancer":
                out[f"drug:{d.drug}"].add(s.id)
    by_id = {s.id: s for s in studies}
    return {k: [by_id[i] for i in sorted(v)] for k, v in sorted(out.items())}


def primary_view(studies: list[Study]) -> dict[str, list[tuple[Study, int | None]]]:
    """Primary tumour -> studies reporting patients with it, with the count."""
    out: dict[str, list[tuple[Study, int | None]]] = defaultdict(list)
    for s in studies:
        counts: Counter[str] = Counter()
        seen: set[str] = set()
        r = next((r for r in s.population if r.primaries), None)
        if s.patients_table:
            counts.update(row.primary for row in s.patients_table.rows if row.primary)
        elif r:
            for p in r.primaries:
                seen.add(p.primary)
                if p.n is not None:
                    counts[p.primary] += int(p.n.value)
        for prim in set(counts) | seen:
            out[prim].append((s, counts.get(prim)))
    return dict(sorted(out.items()))


def region_view(studies: list[Study], vocab: Vocabularies | None = None) -> dict[str, list[Study]]:
    vocab = vocab or load_vocabularies()
    out: dict[str, set[str]] = defaultdict(set)
    for s in studies:
        sites = {site.site for r in s.population for site in r.sites}
        if s.patients_table:
            sites |= {x for row in s.patients_table.rows for x in row.sites}
        for site in sites:
            out[vocab.region_of(site)].add(s.id)
    by_id = {s.id: s for s in studies}
    return {k: [by_id[i] for i in sorted(v)] for k, v in sorted(out.items())}


def decade_view(studies: list[Study]) -> dict[str, list[Study]]:
    out: dict[str, list[Study]] = defaultdict(list)
    for s in sorted(studies, key=lambda s: (s.year or 0, s.id)):
        out[f"{(s.year // 10) * 10}s" if s.year else "year unknown"].append(s)
    return dict(out)
