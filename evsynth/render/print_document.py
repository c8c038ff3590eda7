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

import jinja2
import markdown
from markupsafe import Markup

from evsynth.cite.vancouver import Cited, Reference
from evsynth.core import escape
from evsynth.core.paths import PDF_DIR
from evsynth.core.vocab import Vocabularies
from evsynth.render.pages import Rendered
from evsynth.render.views import footnote_id
from evsynth.synthesis.synthesize import Synthesis

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)  # the site's page options (Material's `hide`)
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
    order += [
        ("tables/index.md", 1),
        ("compare/index.md", 1),
        ("agents/index.md", 1),
        ("primaries/index.md", 1),
        ("data-quality/index.md", 1),
        ("methods/index.md", 1),
        ("search/index.md", 1),
        ("glossary/index.md", 1),
    ]
    return order


def citation_numbers(keys_by_page: dict[str, list[str]], order: list[tuple[str, int]], cited: Cited) -> dict[str, int]:
    """Every entry numbered once for the whole document: in order of first citation, then the rest."""
    seen: list[str] = []
    for path, _ in order:
        seen += [k for k in keys_by_page.get(path, []) if k not in seen]
    seen += sorted((k for k in cited.formatted if k not in seen), key=cited.label)
    return {k: i for i, k in enumerate(seen, 1)}


_FOOTNOTE_DEF = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]: .*\n?", re.M)
_FOOTNOTE_REF = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")


def numbered(page: str, keys: list[str], numbers: dict[str, int]) -> str:
    """A rendered page with its footnote citations as the document's numbers: `[^key]` becomes a link
    `[n]` to the bibliography, the footnote definitions one line 'Cited here: [1], [4]'. (Untrusted
    text cannot hold `[^`: the escaping boundary writes `[` as a character reference.)"""
    by_id = {footnote_id(k): k for k in keys}

    def link(k: str) -> str:
        return f'<a class="cite" href="#ref-{footnote_id(k)}">[{numbers[k]}]</a>'

    def reference(m: re.Match[str]) -> str:
        return link(by_id[m.group(1)]) if m.group(1) in by_id else m.group(0)

    first = _FOOTNOTE_DEF.search(page)
    if first:
        cited_here = "Cited here: " + ", ".join(link(k) for k in keys) + "\n"
        page = page[: first.start()] + cited_here + _FOOTNOTE_DEF.sub("", page[first.start() :])
    return _FOOTNOTE_REF.sub(reference, page)


def _rewrite(html: str, path: str, pages: set[str], figures: dict[str, str]) -> str:
    """Links between pages -> anchors; figures -> inline vector images; ids made unique."""
    prefix = page_anchor(path)

    def href(m: re.Match[str]) -> str:
        attr, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:|#", target):
            if target.startswith("#fn") or target.startswith("#ref-"):
                return m.group(0)
            return f'{attr}="#{prefix}--{target[1:]}"' if target.startswith("#") else m.group(0)
        file, _, _frag = target.partition("#")
        file = re.sub(r"(^|/)index\.html$", r"\1index.md", file)  # raw HTML links to a page's built file
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), file))
        if resolved in pages:
            return f'{attr}="#{page_anchor(resolved)}"'
        name = resolved.removeprefix("figures/")
        if name in figures:
            data = base64.b64encode(figures[name].encode()).decode()
            return f'{attr}="data:image/svg+xml;base64,{data}"'
        return f'data-site-file="{resolved}"'

    html = re.sub(r"<source\b[^>]*>", "", html)  # a figure's narrow variant: print takes the wide one only
    html = re.sub(r'(href|src)="([^"]*)"', href, html)
    # Every id of a page gets the page's prefix, so no heading made from study text can take the name
    # of an anchor of the document (the bibliography's `ref-...`, a chapter's `p-...`).
    return re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}--{m.group(1)}"', html)


def _demote(html: str, by: int) -> str:
    return re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m.group(1)}h{int(m.group(2)) + by}", html) if by else html


def chapters(
    rendered: Rendered, static: dict[str, str], order: list[tuple[str, int]], cited: Cited
) -> tuple[list[Chapter], list[Reference], dict[str, int]]:
    """The document's chapters from the site's own rendered pages, citations numbered for print."""
    numbers = citation_numbers(rendered.keys, order, cited)
    pages = rendered.pages | static
    out = []
    for path, level in order:
        source = numbered(FRONT_MATTER.sub("", pages[path], count=1), rendered.keys.get(path, []), numbers)
        text = markdown.markdown(source, extensions=EXTENSIONS, output_format="html")
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)  # type: ignore[union-attr]
        title = html.unescape(re.sub(r"<[^>]+>", "", heading))  # plain text: the template escapes it once
        text = _demote(_rewrite(text, path, set(pages), rendered.figures), level - 1)
        out.append(Chapter(path, title, level, Markup(text)))
    refs = sorted(cited.refs(numbers), key=lambda r: r.number)
    return out, refs, numbers


def render_pdf_html(
    rendered: Rendered,
    static: dict[str, str],
    syn: Synthesis,
    cited: Cited,
    vocab: Vocabularies,
    version: str,
    evidence_date: str | None,
) -> str:
    """The whole print document as HTML, from the site's rendered pages."""
    chs, refs, numbers = chapters(rendered, static, document_order(syn, vocab), cited)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PDF_DIR)),
        autoescape=True,
        finalize=escape.finalize_html,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fid"] = footnote_id
    patients = int(syn.comparison["patients"].fillna(0).sum()) if len(syn.comparison) else 0
    return str(
        env.get_template("pdf.html.j2").render(
            chapters=chs,
            refs=refs,
            numbers=numbers,
            studies=syn.studies,
            patients=patients,
            evidence_date=evidence_date or "no studies",
            footer=rendered.footer,
            version=version,
            wide=WIDE,
        )
    )
