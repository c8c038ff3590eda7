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
from typing import Iterable
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from evsynth.core import escape

from evsynth.render import views
from evsynth.cite.vancouver import Reference, cite
from evsynth.render.fielddoc import field_docs
from evsynth.load.history import Change
from evsynth.core.problems import CODES
from evsynth.load.files import Bibliography
from evsynth.core.model import Study
from evsynth.validate.quality import Discrepancy
from evsynth.synthesis.synthesize import Synthesis
from evsynth.synthesis.tables import fmt
from evsynth.core.vocab import Vocabularies, load_vocabularies

from evsynth.core.paths import TEMPLATES
md, attr = views.md, views.attr


def figure_alt(svg: str) -> str:
    """The text alternative written into an SVG's <desc>."""
    m = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    return html.unescape(m.group(1)) if m else ""


def frame_md(frame: pd.DataFrame, columns: list[str] | None = None) -> Markup:
    """A DataFrame as a Markdown table, every cell escaped."""
    cols = columns or list(frame.columns)
    head = "| " + " | ".join(md(c) for c in cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n"
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


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    # autoescape with `finalize`: every printed value that is not already Markup is escaped for
    # Markdown, so a template that forgets a filter cannot publish live markup.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True,
                             finalize=escape.finalize, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(md=md, attr=attr, val=views.val, prop=views.prop, dur=views.dur, fmt=fmt,
                       pct=views.pct, slug=views.slug, figure_alt=figure_alt, table=frame_md,
                       time_point=views.time_point, fid=views.fid, known=known, join=join, replace=replace)
    return env


class Renderer:
    def __init__(self, syn: Synthesis, bib: Bibliography, vocab: Vocabularies, env: jinja2.Environment,
                 print_numbers: dict[str, int] | None = None, history: list[Change] | None = None):
        self.history = history
        self.syn, self.bib, self.vocab, self.env = syn, bib, vocab, env
        self.print_numbers = print_numbers or {}
        self.keys: dict[str, list[str]] = {}
        self.out: dict[str, str] = {}
        env.filters["embolic"] = lambda a: md(vocab.get("embolics").label(a))
        env.filters["drug"] = lambda d: md(vocab.get("drugs").label(d))
        self.by_study: dict[str, list[Discrepancy]] = {}
        for d in syn.discrepancies:
            self.by_study.setdefault(d.study, []).append(d)

    def page(self, path: str, template: str, keys: list[str] | None = None, **ctx: Any) -> None:
        """Render `template` as the page at `path` ('studies/x/index.md'), citing `keys`."""
        refs: list[Reference] = cite(self.bib, keys or [])
        self.keys[path] = [r.key for r in refs]
        self.out[path] = self.env.get_template(template).render(
            syn=self.syn, vocab=self.vocab, refs=refs, ref_keys={r.key for r in refs}, root="../" * path.count("/"),
            print_numbers=self.print_numbers, **ctx)

    def group_context(self, group: str) -> dict[str, Any]:
        studies = [s for s in self.syn.studies if s.group == group]
        pooled = [r for r in self.syn.pooled if r["group"] == group]
        pain = next((r["pooled"] for r in pooled if r["outcome"] == "pain-relief"), None)
        grade = views.certainty(pain, studies)
        span = self.syn.groups.set_index("group").loc[group] if group in set(self.syn.groups["group"]) else None
        return {"group": group, "title": self.vocab.groups[group], "studies": studies, "pooled": pooled,
                "pain": pain, "certainty": grade, "span": span,
                "categories": [c for c, e in self.vocab.raw["interventions"].items() if e["group"] == group]}

    def pages(self) -> dict[str, str]:
        syn, page = self.syn, self.page
        groups = [self.group_context(g) for g in self.vocab.groups]
        all_keys = [s.citation for s in syn.studies]
        page("index.md", "home.md.j2", all_keys, groups=groups)
        page("interventions/index.md", "interventions-index.md.j2", groups=groups)
        for g in groups:
            page(f"interventions/{g['group']}/index.md", "intervention.md.j2", [s.citation for s in g["studies"]], g=g)
        page("studies/index.md", "studies-index.md.j2")
        for s in syn.studies:
            keys = [s.citation] + [r.citation for r in s.reports.values()]
            page(f"studies/{s.id}/index.md", "study.md.j2", keys, study=s, discrepancies=self.by_study.get(s.id, []))
        page("agents/index.md", "agents-index.md.j2")
        for key, studies in syn.agents.items():
            kind, name = key.split(":", 1)
            label = self.vocab.get("embolics" if kind == "embolic" else "drugs").label(name)
            page(f"agents/{views.slug(name)}/index.md", "agent.md.j2", [s.citation for s in studies],
                 kind=kind, name=name, label=label, studies=studies)
        page("primaries/index.md", "primaries-index.md.j2")
        for prim, rows in syn.primaries.items():
            page(f"primaries/{views.slug(prim)}/index.md", "primary.md.j2", [s.citation for s, _ in rows],
                 prim=prim, label=self.vocab.get("primaries").label(prim), rows=rows)
        page("compare/index.md", "compare.md.j2", ["chiras2004"])
        page("tables/index.md", "tables.md.j2", ["chiras2004"])
        page("data-quality/index.md", "data-quality.md.j2", by_study=self.by_study)
        page("references/index.md", "references.md.j2",
             all_refs=cite(self.bib, sorted(self.bib.entries, key=lambda k: self.bib.label(k))))
        page("methods/index.md", "methods.md.j2")
        page("downloads/index.md", "downloads.md.j2")
        page("fields/index.md", "fields.md.j2", fields=field_docs(), codes=CODES)
        page("changelog/index.md", "changelog.md.j2", history=self.history,
             study_ids={s.id for s in syn.studies}, labels={s.id: s.label for s in syn.studies})
        return self.out

    def nav(self) -> list[Any]:
        syn = self.syn
        return [
            {"Home": "index.md"},
            {"Interventions": ["interventions/index.md"] + [
                {self.vocab.groups[g]: f"interventions/{g}/index.md"} for g in self.vocab.groups]},
            # Material inserts nav titles into every page without escaping them: escape here.
            {"Studies": ["studies/index.md"] + [{str(escape.html_text(s.label)): f"studies/{s.id}/index.md"}
                                                for s in syn.studies]},
            {"Compare": ["compare/index.md", "tables/index.md",
                         {"Agents and drugs": ["agents/index.md"] + [
                             f"agents/{views.slug(k.split(':', 1)[1])}/index.md" for k in syn.agents]},
                         {"Primary tumours": ["primaries/index.md"] + [
                             f"primaries/{views.slug(p)}/index.md" for p in syn.primaries]}]},
            {"Data quality": "data-quality/index.md"},
            {"References": "references/index.md"},
            {"About": ["methods/index.md", "glossary/index.md", "downloads/index.md", "changelog/index.md",
                       "contributing/index.md", "fields/index.md"]},
        ]


def render_site(syn: Synthesis, bib: Bibliography, vocab: Vocabularies | None = None,
                env: jinja2.Environment | None = None,
                history: list[Change] | None = None) -> tuple[dict[str, str], list[Any]]:
    """Every generated page, figure and download by path relative to the docs folder, and the nav."""
    r = Renderer(syn, bib, vocab or load_vocabularies(), env or environment(), history=history)
    pages = r.pages()
    pages.update({f"figures/{name}": svg for name, svg in syn.figures.items()})
    pages.update({f"downloads/{name}": text for name, text in syn.downloads.items()})
    return pages, r.nav()


__all__ = ["render_site", "md", "attr", "Study"]
