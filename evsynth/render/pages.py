"""Stage 5, render: the synthesis -> Markdown pages, figures and downloads (path -> text).

Text from study and BibTeX files is untrusted: it meets the page only through the escaping
boundary (`evsynth.escape`). Templates pass it through `md` (Markdown text, and attribute values
of raw HTML inside Markdown) or the number helpers `val`/`prop`/`dur`, which escape too; anything
a template prints without them is escaped by the environment (`escape.finalize`).
The navigation is generated here as well, so the site needs no MkDocs plugin to find pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from evsynth.cite.vancouver import Cited, Reference
from evsynth.core import escape
from evsynth.core.memo import Memo
from evsynth.core.model import Study
from evsynth.core.paths import TEMPLATES
from evsynth.core.problems import CODES
from evsynth.core.vocab import Vocabularies
from evsynth.load.history import Change
from evsynth.render import (
    downloads,
    evidence_map,
    figures,
    forest_data,
    incremental,
    methods,
    quality_view,
    search_view,
    sof,
    study_view,
    views,
)
from evsynth.render.decision import decision, reading_basis
from evsynth.render.fielddoc import field_docs
from evsynth.render.incremental import render_page
from evsynth.render.places import place
from evsynth.synthesis.harms import harms
from evsynth.synthesis.outcomes import RULES
from evsynth.synthesis.synthesize import Synthesis
from evsynth.synthesis.tables import fmt, relief_duration

md, attr = views.md, views.attr


def figure_alt(svg: str) -> str:
    """The text alternative written into an SVG's <desc>."""
    m = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    return html.unescape(m.group(1)) if m else ""


def frame_md(frame: pd.DataFrame, columns: list[str] | None = None) -> Markup:
    """A DataFrame as a Markdown table, every cell escaped."""
    cols = columns or list(frame.columns)
    head = (
        "| " + " | ".join(md(views.column_label(c)) for c in cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n"
    )
    body = "".join("| " + " | ".join(md(_cell(row[c])) for c in cols) + " |\n" for _, row in frame.iterrows())
    return Markup(head + body)


def join(items: Iterable[Any], separator: str = "") -> Markup:
    """jinja's `join`, escaping every item that is not already escaped."""
    return Markup(md(separator).join(md(x) for x in items))


def replace(text: Any, old: str, new: str) -> Markup:
    """jinja's `replace` on the text, then escaped."""
    return md(str(text).replace(old, new))


def _cell(x: Any) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return ""
    return fmt(x) if isinstance(x, (int, float)) else str(x)


def known(x: Any) -> bool:
    """Whether a table cell holds a value (not None, NaN or pandas' NA)."""
    return not (x is None or x is pd.NA or (isinstance(x, float) and x != x))


def environment(vocab: Vocabularies, templates: Path = TEMPLATES) -> jinja2.Environment:
    """The template environment of one render: autoescape with `finalize`, so every printed value that
    is not already Markup is escaped for Markdown and a template that forgets a filter cannot publish
    live markup."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        finalize=escape.finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=md,
        attr=attr,
        val=views.val,
        prop=views.prop,
        dur=views.dur,
        fmt=fmt,
        pct=views.pct,
        slug=views.slug,
        figure_alt=figure_alt,
        table=frame_md,
        time_point=views.time_point,
        dose=views.dose,
        fid=views.fid,
        known=known,
        join=join,
        replace=replace,
        embolic=lambda a: md(vocab.get("embolics").label(a)),
        drug=lambda d: md(vocab.get("drugs").label(d)),
    )
    return env


class Renderer:
    def __init__(
        self,
        syn: Synthesis,
        cited: Cited,
        vocab: Vocabularies,
        figures: dict[str, str],
        history: list[Change] | None = None,
        evidence_date: str | None = None,
        plots: list[forest_data.Forest] | None = None,
        memo: Memo | None = None,
    ):
        self.syn, self.cited, self.vocab, self.figures, self.history = syn, cited, vocab, figures, history
        self.plots = forest_data.forests(syn, vocab.groups) if plots is None else plots
        self.evidence_date, self.memo = evidence_date, memo
        self.env = environment(vocab)
        self.keys: dict[str, list[str]] = {}
        self.out: dict[str, str] = {}
        self.findings = quality_view.finding_rows(syn.impacts, syn.studies, vocab.groups)
        self.by_study, self.sensitive = quality_view.index(self.findings)

    def page(self, path: str, template: str, keys: list[str] | None = None, **ctx: Any) -> None:
        """Render `template` as the page at `path` ('studies/x/index.md'), citing `keys`."""
        refs: list[Reference] = self.cited.refs(keys or [])
        self.keys[path] = [r.key for r in refs]
        context = dict(syn=self.syn, vocab=self.vocab, figures=self.figures, refs=refs, ref_keys={r.key for r in refs},
                       root="../" * path.count("/"), evidence_date=self.evidence_date, **ctx)  # fmt: skip
        self.out[path] = render_page(self.memo, self.env, path, template, context)

    def group_context(self, group: str) -> dict[str, Any]:
        studies = [s for s in self.syn.studies if s.group == group]
        pooled = [r for r in self.syn.pooled if r["group"] == group]
        span = self.syn.groups.set_index("group").loc[group] if group in set(self.syn.groups["group"]) else None
        g: dict[str, Any] = {
            "group": group,
            "title": self.vocab.groups[group],
            "studies": studies,
            "pooled": pooled,
            "harms": harms(studies),
            "scores": [views.score_view(a) for a in self.syn.scores if a.group == group],
            "score_analyses": [a for a in self.syn.scores if a.group == group],
            "relief_studies": sum(1 for s in studies if relief_duration(s) is not None),
            "span": span,
            "categories": [c for c, e in self.vocab.raw["interventions"].items() if e["group"] == group],
            "category_labels": [e["label"] for e in self.vocab.raw["interventions"].values() if e["group"] == group],
            "forests": forest_data.page_forests(self.plots, group, pooled),
        } | views.group_view(span, pooled, studies)
        g["harms_text"] = sof.harms_text(g["harms"])
        table = sof.build(g, self.vocab.groups[group], g["harms"])
        g["sof"], g["decision"] = table, decision(g, table)
        return g

    def pages(self) -> dict[str, str]:
        """Every generated page, by path."""
        self.evidence_pages()
        self.browsing_pages()
        self.about_pages()
        return self.out

    def evidence_pages(self) -> None:
        syn, page = self.syn, self.page
        groups = [self.group_context(g) for g in self.vocab.groups]
        page("index.md", "home.md.j2", [s.citation for s in syn.studies], groups=groups,
             n_studies=len(syn.studies), total_patients=syn.comparison["patients"].sum(),
             n_discrepancies=sum(i.severity != "none" for i in syn.impacts),
             n_notes=sum(i.severity == "none" for i in syn.impacts), basis=reading_basis(syn.studies),
             search=search_view.summary(syn.flow) if syn.flow else None,
             evidence_map=evidence_map.view(syn, self.vocab.groups, forest_data.with_forest(self.plots)))  # fmt: skip
        page("interventions/index.md", "interventions-index.md.j2", groups=groups)
        for g in groups:
            path = f"interventions/{g['group']}/index.md"
            page(path, "intervention.md.j2", [s.citation for s in g["studies"]], g=g, rules=RULES,
                 sensitive=self.sensitive.get(path, []))  # fmt: skip
        page("studies/index.md", "studies-index.md.j2", n_studies=len(syn.studies),
             study_rows=views.studies_rows(syn.comparison))  # fmt: skip
        for s in syn.studies:
            self.study_page(s)

    def study_page(self, s: Study) -> None:
        """A study: its full reference, key results, how it was read, then the details."""
        keys = [s.citation] + [r.citation for r in s.reports.values()]
        self.page(
            f"studies/{s.id}/index.md",
            "study.md.j2",
            keys,
            study=s,
            main_ref=next(iter(self.cited.refs([s.citation])), None),
            # the footnotes of the reports' citations (the main report is printed in full under the heading)
            footnote_refs=self.cited.refs(r.citation for r in s.reports.values()),
            key_results=study_view.key_results(s),
            how_read=study_view.how_read(s),
            read_as=study_view.read_as(s),
            pages_read=study_view.pages_read(s),
            patient_rows_toggle=study_view.patient_rows_toggle(s),
            findings=self.by_study.get(s.id, []),
            indirect=views.indirectness(s),
        )

    def browsing_pages(self) -> None:
        syn, page = self.syn, self.page
        agents = [(*key.split(":", 1), len(studies)) for key, studies in syn.agents.items()]
        page("agents/index.md", "agents-index.md.j2", agents=agents)
        for key, studies in syn.agents.items():
            kind, name = key.split(":", 1)
            label = self.vocab.get("embolics" if kind == "embolic" else "drugs").label(name)
            keys = [s.citation for s in studies]
            page(f"agents/{views.slug(name)}/index.md", "agent.md.j2", keys, kind=kind, name=name, label=label,
                 studies=studies)  # fmt: skip
        page("primaries/index.md", "primaries-index.md.j2", primary_rows=views.primary_rows(syn.primaries))
        for prim, rows in syn.primaries.items():
            label = self.vocab.get("primaries").label(prim)
            page(f"primaries/{views.slug(prim)}/index.md", "primary.md.j2", [s.citation for s, _ in rows],
                 prim=prim, label=label, rows=rows)  # fmt: skip
        seed = syn.seed_source if syn.seed_source in self.cited.formatted else None
        seed_label = self.cited.label(seed) if seed else None
        page("compare/index.md", "compare.md.j2", [seed] if seed else [], seed=seed, seed_label=seed_label,
             forests=forest_data.page_forests(self.plots, None, syn.pooled))  # fmt: skip
        page("tables/index.md", "tables.md.j2", [seed] if seed else [], seed=seed, seed_label=seed_label)
        uncertain = [(s, place(s, v.path, self.term), v) for s in syn.studies for v in s.values() if v.ambiguous]
        page("data-quality/index.md", "data-quality.md.j2", uncertain=uncertain,
             sections=quality_view.by_severity(self.findings))  # fmt: skip

    def term(self, key: str, value: str) -> str:
        """A vocabulary value's label (a primary tumour, a site, an agent), for words about a field."""
        kinds = {"primary": "primaries", "site": "sites", "agent": "embolics", "drug": "drugs"}
        return self.vocab.get(kinds[key]).label(value) if key in kinds else value.replace("-", " ")

    def about_pages(self) -> None:
        syn, page, cited = self.syn, self.page, self.cited
        page("references/index.md", "references.md.j2", all_refs=cited.refs(sorted(cited.formatted, key=cited.label)))
        page("methods/index.md", "methods.md.j2", methods=methods)
        page("search/index.md", "search.md.j2", **search_view.page_context(syn.flow))
        page("downloads/index.md", "downloads.md.j2")
        page("fields/index.md", "fields.md.j2", fields=field_docs(), codes=CODES)
        labels = {s.id: s.label for s in syn.studies}
        page("changelog/index.md", "changelog.md.j2", history=self.history, study_ids=set(labels), labels=labels,
             by_date=views.by_extraction_date(syn.studies), added=search_view.added(self.history, syn.studies),
             last_search=syn.flow.last_search if syn.flow else None)  # fmt: skip

    def nav(self) -> list[Any]:
        syn = self.syn
        return [
            {"Home": "index.md"},
            {
                "Interventions": ["interventions/index.md"]
                + [{self.vocab.groups[g]: f"interventions/{g}/index.md"} for g in self.vocab.groups]
            },
            # Material inserts nav titles into every page without escaping them: escape here.
            {
                "Studies": ["studies/index.md"]
                + [{str(escape.html_text(s.label)): f"studies/{s.id}/index.md"} for s in syn.studies]
            },
            {
                "Compare": [
                    "compare/index.md",
                    "tables/index.md",
                    {
                        "Agents and drugs": ["agents/index.md"]
                        + [f"agents/{views.slug(k.split(':', 1)[1])}/index.md" for k in syn.agents]
                    },
                    {
                        "Primary tumours": ["primaries/index.md"]
                        + [f"primaries/{views.slug(p)}/index.md" for p in syn.primaries]
                    },
                ]
            },
            {"Data quality": "data-quality/index.md"},
            {"References": "references/index.md"},
            {
                "About": [
                    "methods/index.md",
                    "search/index.md",
                    "glossary/index.md",
                    "downloads/index.md",
                    "changelog/index.md",
                    "contributing/index.md",
                    "fields/index.md",
                ]
            },
        ]


@dataclass(frozen=True)
class Rendered:
    """The render stage's hand-off: every generated file of the site by path relative to the docs
    folder (pages, figures, downloads), the navigation, and the citations of each page."""

    files: dict[str, str]
    nav: list[Any]
    keys: dict[str, list[str]]
    figures: dict[str, str]
    footer: str | None = None  # the line every page's footer carries (the last literature search)

    @property
    def pages(self) -> dict[str, str]:
        return {p: t for p, t in self.files.items() if p.endswith(".md")}


def render_site(
    syn: Synthesis,
    cited: Cited,
    vocab: Vocabularies,
    history: list[Change] | None = None,
    evidence_date: str | None = None,
    memo: Memo | None = None,
) -> Rendered:
    """Every generated page, figure and download, rendered once for the site and the PDF alike (through
    `memo`, when given, only what changed)."""
    plots = forest_data.forests(syn, vocab.groups)
    drawn = figures.draw(syn, vocab, plots, memo)
    r = Renderer(syn, cited, vocab, drawn, history, evidence_date, plots, memo)
    files = r.pages()
    files.update({f"figures/{name}": svg for name, svg in drawn.items()})
    made = incremental.downloads(
        memo, {"syn": syn, "bib": cited.bib.entries, "where": cited.bib.where},
        lambda: downloads.all_downloads(syn, cited.bib, memo),
    )  # fmt: skip
    files.update({f"downloads/{name}": text for name, text in made.items()})
    return Rendered(files, r.nav(), r.keys, drawn, search_view.footer(syn.flow))


__all__ = ["Rendered", "Study", "attr", "md", "render_site"]
