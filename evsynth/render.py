"""Stage 5, render: validated studies -> Markdown pages (a dict of relative path -> text).

Every text that comes from a study file is untrusted and passes through `md` (or `attr`):
HTML is escaped and Markdown punctuation is backslash-escaped, so it renders as inert text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import jinja2

import pandas as pd

from .model import Value
from .quality import Discrepancy
from .synth import Synthesis

TEMPLATES = Path(__file__).resolve().parent.parent / "site_src" / "templates"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md(text: Any) -> str:
    """Untrusted text as inert Markdown: no HTML, no links, no emphasis, one line."""
    s = html.escape(str(text), quote=False)
    s = re.sub(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", " ", s)
    return _MD_SPECIAL.sub(r"\\\1", s)


def attr(text: Any) -> str:
    """Untrusted text for an HTML attribute value."""
    return html.escape(re.sub(r"[\x00-\x1f\x7f]", " ", str(text)), quote=True)


def figure_alt(svg: str) -> str:
    """The text alternative written into an SVG's <desc>."""
    m = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    return html.unescape(m.group(1)) if m else ""


def num(v: Any) -> str:
    if isinstance(v, Value):
        v = v.value
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(md=md, attr=attr, num=num, figure_alt=figure_alt)
    return env


def frame_md(frame: pd.DataFrame, columns: list[str] | None = None) -> str:
    """A DataFrame as a Markdown table, every cell escaped."""
    cols = columns or list(frame.columns)
    head = "| " + " | ".join(md(c) for c in cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n"
    body = "".join("| " + " | ".join(md(_cell(row[c])) for c in cols) + " |\n" for _, row in frame.iterrows())
    return head + body


def _cell(x: Any) -> str:
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA:
        return ""
    return num(x)


def render_site(syn: Synthesis, env: jinja2.Environment | None = None) -> dict[str, str]:
    """Every generated page, figure and download, by path relative to the docs folder."""
    env = env or environment()
    env.filters["table"] = frame_md
    by_study: dict[str, list[Discrepancy]] = {}
    for d in syn.discrepancies:
        by_study.setdefault(d.study, []).append(d)
    pages = {"index.md": env.get_template("home.md.j2").render(studies=syn.studies, syn=syn)}
    for s in syn.studies:
        pages[f"studies/{s.id}.md"] = env.get_template("study.md.j2").render(
            study=s, discrepancies=by_study.get(s.id, []))
    pages["data-quality.md"] = env.get_template("data-quality.md.j2").render(discrepancies=syn.discrepancies)
    pages["synthesis.md"] = env.get_template("synthesis.md.j2").render(syn=syn)
    pages["downloads.md"] = env.get_template("downloads.md.j2").render(syn=syn)
    pages.update({f"figures/{name}": svg for name, svg in syn.figures.items()})
    pages.update({f"downloads/{name}": text for name, text in syn.downloads.items()})
    return pages
