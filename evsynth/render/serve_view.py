"""What `serve` adds to the pages it serves while a study or BibTeX file has problems: a banner on
every page and the page listing the problems. Views only (strings in, strings out); `publish/serve.py`
applies them to the served HTML, never to the published site.

Every problem is worded by `problems.problem_parts`, as `check` prints it, and reaches the HTML
through `escape.html_text` (file names and messages are untrusted). Nothing here adds a script or a
style attribute: the banner and the list are styled by `STYLESHEET`, served as a file of its own, so
the site's Content-Security-Policy holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evsynth.core import escape
from evsynth.core.problems import CODES, Problem, problem_parts

PROBLEMS_URL = "/build-problems/"  # the list; absolute, as served pages sit at every depth
STYLESHEET_URL = "/build-problems.css"

STYLESHEET = """\
.evs-serve-banner { background: #b3261e; color: #fff; font: 600 0.95rem/1.4 system-ui, sans-serif;
  padding: 0.55rem 1rem; text-align: center; }
.evs-serve-banner a { color: #fff; text-decoration: underline; }
.evs-serve-banner a:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
.evs-problems { list-style: none; margin: 0; padding: 0; }
.evs-problems li { border-left: 4px solid #b3261e; margin: 0 0 0.9rem; padding: 0.2rem 0 0.2rem 0.8rem; }
.evs-problems .evs-where { font-weight: 600; overflow-wrap: anywhere; }
.evs-problems .evs-code { white-space: nowrap; }
.evs-problems .evs-fix { display: block; margin-top: 0.2rem; overflow-wrap: anywhere; }
.evs-standalone { font: 1rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 50rem; padding: 1rem; }
"""

_HEAD = re.compile(r"</head>", re.I)
_BODY = re.compile(r"<body\b[^>]*>", re.I)
_ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">).*?(</article>)', re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)


def count_text(n: int) -> str:
    return f"{n} problem{'' if n == 1 else 's'} in your files"


def banner(n: int) -> str:
    """The banner every served page carries while the files have `n` problems."""
    return (
        f'<div class="evs-serve-banner" role="alert">{count_text(n)} — <a href="{PROBLEMS_URL}">see the list</a></div>'
    )


def with_banner(page: str, n: int) -> str:
    """A served HTML page with the stylesheet linked in its head and the banner opening its body."""
    link = f'<link rel="stylesheet" href="{STYLESHEET_URL}">'
    page = _HEAD.sub(lambda m: link + "\n" + m.group(0), page, count=1)
    return _BODY.sub(lambda m: m.group(0) + banner(n), page, count=1)


def _item(p: Problem) -> str:
    where, tag, message = (escape.html_text(escape.terminal(part)) for part in problem_parts(p))
    meaning = escape.html_text(CODES[p.code])
    return (
        f'<li><code class="evs-where">{where}</code> <code class="evs-code" title="{meaning}">[{tag}]</code>'
        f'<span class="evs-fix">{message}</span></li>'
    )


def problems_article(problems: Sequence[Problem]) -> str:
    """The list of problems, sorted by file and line, as `check` words them; or the all-clear."""
    if not problems:
        return (
            "<h1>No problems in your files</h1><p>The site was rebuilt from them. "
            '<a href="/">Go to the home page</a>.</p>'
        )
    items = "\n".join(_item(p) for p in sorted(problems))
    return (
        f"<h1>{count_text(len(problems))}</h1>"
        "<p>The site you are browsing is the last build made from valid files (or, until there is one, "
        "a build of the studies that are valid). Fix each problem below; the site rebuilds when you "
        "save and this list empties. The same list is printed by "
        "<code>python build.py check</code>. The fields of a study file are described on "
        '<a href="/fields/">Study file fields</a>.</p>'
        f'<ol class="evs-problems">\n{items}\n</ol>'
    )


def problems_page(problems: Sequence[Problem], shell: str | None) -> str:
    """The problems page inside the site's own frame (`shell`: the built 404 page, whose links are
    absolute), or standalone when there is no built site."""
    article = problems_article(problems)
    title = f"<title>{count_text(len(problems)) if problems else 'No problems'}</title>"
    link = f'<link rel="stylesheet" href="{STYLESHEET_URL}">'
    if shell is not None and _ARTICLE.search(shell):
        page = _ARTICLE.sub(lambda m: m.group(1) + article + m.group(2), shell, count=1)
        page = _TITLE.sub(lambda m: title, page, count=1)
        return _HEAD.sub(lambda m: link + "\n" + m.group(0), page, count=1)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{title}{link}</head>'
        f'<body><main class="evs-standalone">{article}</main></body></html>\n'
    )
