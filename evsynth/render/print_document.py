"""The offline PDF: the site's pages as one paged document, made with WeasyPrint.

The render stage's Markdown (with citations numbered once for the whole document) is converted
with the same Markdown extensions as the site, assembled into print HTML (cover, contents,
chapters, bibliography), links are turned into in-document anchors, figures stay vector, and
paged-media CSS (`site_src/pdf/pdf.css`) gives running headers, page numbers, repeated table
headers and landscape pages for wide tables. Fonts are shipped in `site_src/pdf/fonts/`.
"""

from __future__ import annotations

import base64
import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markdown
from markupsafe import Markup

from evsynth.core import escape
from evsynth.cite.vancouver import Reference, cite
from evsynth.load.files import Bibliography
from evsynth.render.pages import Renderer, environment
from evsynth.synthesis.synthesize import Synthesis
from evsynth.render.views import footnote_id
from evsynth.core.vocab import Vocabularies, load_vocabularies

from evsynth.core.paths import PDF_DIR
EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]
WIDE = ("compare/index.md", "tables/index.md", "studies/index.md")


@dataclass(frozen=True)
class Chapter:
    path: str  # the page's path in the site, e.g. 'studies/chiras-2004/index.md'
    title: str
    level: int  # 1 = chapter, 2 = section (a study, an intervention)
    html: Markup

    @property
    def anchor(self) -> str:
        return page_anchor(self.path)


def page_anchor(path: str) -> str:
    return "p-" + (re.sub(r"[^a-z0-9]+", "-", path.removesuffix("index.md").lower()).strip("-") or "home")


def document_order(syn: Synthesis, vocab: Vocabularies) -> list[tuple[str, int]]:
    """(page path, level) in the order the PDF prints them."""
    order = [("index.md", 1), ("interventions/index.md", 1)]
    order += [(f"interventions/{g}/index.md", 2) for g in vocab.groups]
    order += [("studies/index.md", 1)] + [(f"studies/{s.id}/index.md", 2) for s in syn.studies]
    order += [("tables/index.md", 1), ("compare/index.md", 1), ("agents/index.md", 1), ("primaries/index.md", 1),
              ("data-quality/index.md", 1), ("methods/index.md", 1), ("glossary/index.md", 1)]
    return order


from evsynth.core.paths import STATIC_PAGES as STATIC


def static_pages() -> dict[str, str]:
    """The hand-written pages (Markdown templates of the site) that the PDF also prints."""
    return {str(p.relative_to(STATIC)): p.read_text(encoding="utf-8") for p in STATIC.rglob("*.md")}


def citation_numbers(keys_by_page: dict[str, list[str]], order: list[tuple[str, int]],
                     bib: Bibliography) -> dict[str, int]:
    """Every entry numbered once for the whole document: in order of first citation, then the rest."""
    seen: list[str] = []
    for path, _ in order:
        seen += [k for k in keys_by_page.get(path, []) if k not in seen]
    seen += sorted((k for k in bib.entries if k not in seen), key=bib.label)
    return {k: i for i, k in enumerate(seen, 1)}


def _rewrite(html: str, path: str, pages: set[str], figures: dict[str, str]) -> str:
    """Links between pages -> anchors; figures -> inline vector images; ids made unique."""
    prefix = page_anchor(path)

    def href(m: re.Match[str]) -> str:
        attr, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:|#", target):
            if target.startswith("#fn") or target.startswith("#ref-"):
                return m.group(0)
            return f'{attr}="#{prefix}--{target[1:]}"' if target.startswith("#") else m.group(0)
        file, _, frag = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), file))
        if resolved in pages:
            return f'{attr}="#{page_anchor(resolved)}"'
        name = resolved.removeprefix("figures/")
        if name in figures:
            data = base64.b64encode(figures[name].encode()).decode()
            return f'{attr}="data:image/svg+xml;base64,{data}"'
        return f'data-site-file="{resolved}"'

    html = re.sub(r'(href|src)="([^"]*)"', href, html)
    return re.sub(r'\bid="(?!ref-|p-)([^"]+)"', lambda m: f'id="{prefix}--{m.group(1)}"', html)


def _demote(html: str, by: int) -> str:
    return re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m.group(1)}h{int(m.group(2)) + by}", html) if by else html


def chapters(syn: Synthesis, bib: Bibliography, vocab: Vocabularies | None = None,
             env: jinja2.Environment | None = None) -> tuple[list[Chapter], list[Reference], dict[str, int]]:
    vocab = vocab or load_vocabularies()
    env = env or environment()
    order = document_order(syn, vocab)
    first = Renderer(syn, bib, vocab, env)
    first.pages()
    numbers = citation_numbers(first.keys, order, bib)
    pages = Renderer(syn, bib, vocab, env, numbers).pages() | static_pages()
    out = []
    for path, level in order:
        text = markdown.markdown(pages[path], extensions=EXTENSIONS, output_format="html")
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)  # type: ignore[union-attr]
        title = html.unescape(re.sub(r"<[^>]+>", "", heading))  # plain text: the template escapes it once
        text = _demote(_rewrite(text, path, set(pages), syn.figures), level - 1)
        out.append(Chapter(path, title, level, Markup(text)))
    refs = sorted(cite(bib, numbers), key=lambda r: r.number)
    return out, refs, numbers


def render_pdf_html(syn: Synthesis, bib: Bibliography, version: str, vocab: Vocabularies | None = None) -> str:
    """The whole print document as HTML."""
    chs, refs, numbers = chapters(syn, bib, vocab)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PDF_DIR)), autoescape=True,
                             finalize=escape.finalize_html, trim_blocks=True, lstrip_blocks=True)
    env.filters["fid"] = footnote_id
    dates = [str(s.extraction.get("date")) for s in syn.studies]
    patients = int(syn.comparison["Patients"].fillna(0).sum()) if len(syn.comparison) else 0
    return env.get_template("pdf.html.j2").render(
        chapters=chs, refs=refs, numbers=numbers, studies=syn.studies, patients=patients,
        evidence_date=max(dates) if dates else "no studies", version=version, wide=WIDE)
