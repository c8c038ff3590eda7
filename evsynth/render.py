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

from .model import Study, Value
from .quality import Discrepancy

TEMPLATES = Path(__file__).resolve().parent.parent / "site_src" / "templates"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>=^$@&;])")


def md(text: Any) -> str:
    """Untrusted text as inert Markdown: no HTML, no links, no emphasis, one line."""
    s = html.escape(str(text), quote=True)
    s = re.sub(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", " ", s)
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "&;" else m.group(1), s)


def attr(text: Any) -> str:
    """Untrusted text for an HTML attribute value."""
    return html.escape(re.sub(r"[\x00-\x1f\x7f]", " ", str(text)), quote=True)


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
    env.filters.update(md=md, attr=attr, num=num)
    return env


def render_site(studies: list[Study], discrepancies: list[Discrepancy], env: jinja2.Environment | None = None) -> dict[str, str]:
    env = env or environment()
    by_study: dict[str, list[Discrepancy]] = {}
    for d in discrepancies:
        by_study.setdefault(d.study, []).append(d)
    pages = {"index.md": env.get_template("home.md.j2").render(studies=studies)}
    for s in studies:
        pages[f"studies/{s.id}.md"] = env.get_template("study.md.j2").render(
            study=s, discrepancies=by_study.get(s.id, []))
    pages["data-quality.md"] = env.get_template("data-quality.md.j2").render(discrepancies=discrepancies)
    return pages
