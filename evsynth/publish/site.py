"""Stage 6, write: put generated pages on disk and build the HTML site with MkDocs (Material) or Zensical."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import os
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evsynth.core.paths import ROOT
from evsynth.publish import cache
from evsynth.publish.engine import Engine, config_for, engine_name, missing_nav, run, templates


def write_pages(pages: dict[str, str], docs: Path, static: Path | None = None) -> None:
    """Replace `docs` with the generated pages plus the hand-written pages of site_src/pages."""
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    if static and static.exists():
        shutil.copytree(static, docs, dirs_exist_ok=True)
    for rel, text in sorted(pages.items()):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def mkdocs_config(
    work: Path,
    docs: Path,
    site: Path,
    nav: list[Any] | None = None,
    config: Path = ROOT / "mkdocs.yml",
    footer: str | None = None,
    engine: Engine = "material",
) -> Path:
    """A copy of mkdocs.yml pointing at the generated pages and output folder, with the generated nav
    and the footer line every page shows (Material's `copyright`, printed as HTML: escaped here)."""
    return config_for(engine, work, docs, site, nav, config, html.escape(footer) if footer else None)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
_THEME_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_BASE_URL = re.compile(r"\{\{ *(?:config\.extra\.scope *\| *d\(base_url(?:, *true)?\)|base_url) *\}\}")
CSP = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


class UnknownScript(Exception):
    """A page holds an inline script that neither the theme nor this project wrote."""


@functools.lru_cache(maxsize=16)
def theme_scripts(base_url: str, engine: Engine = "material") -> frozenset[str]:
    """The inline scripts the theme (Material's, or Zensical's) writes into a page whose base URL is
    `base_url`, read from its own templates: the only inline scripts a page may run."""
    folder = templates(engine) / "partials" / "javascripts"
    out = set()
    for template in sorted(folder.glob("*.html")):
        for body in _THEME_SCRIPT.findall(template.read_text(encoding="utf-8")):
            body = _BASE_URL.sub(base_url, body)
            if "{{" not in body and "{%" not in body:
                out.add(body)
    return frozenset(out)


def base_url(page: Path, site: Path) -> str:
    """MkDocs' relative base URL of a page ('.', '..', '../..'); the 404 page's is '/'."""
    rel = page.relative_to(site)
    if rel == Path("404.html"):
        return "/"
    return "/".join([".."] * (len(rel.parts) - 1)) or "."


def _sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def csp_for(html: str, base: str, name: str = "page", engine: Engine = "material") -> str:
    """The policy of a page: the theme's known inline scripts by hash, nothing from the page itself.
    A page holding any other inline script is refused (UnknownScript), never allowed."""
    allowed = theme_scripts(base, engine)
    for attrs, body in _INLINE_SCRIPT.findall(html):
        if "application/json" not in attrs and body not in allowed:
            raise UnknownScript(f"{name} holds an inline script the build did not write: {body[:60]!r}")
    return CSP.format(hashes=" ".join(sorted(_sha(b) for b in allowed)))


def add_csp(site: Path, engine: Engine = "material") -> None:
    """Insert a Content-Security-Policy meta element at the top of every page's <head>."""
    add_csp_to(site, sorted(site.rglob("*.html")), engine)


def add_csp_to(site: Path, pages: list[Path], engine: Engine = "material") -> None:
    """Insert the policy into `pages` of `site` (those just built)."""
    for page in pages:
        html = page.read_text(encoding="utf-8")
        policy = csp_for(html, base_url(page, site), str(page.relative_to(site)), engine)
        meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        page.write_text(re.sub(r"<head>", "<head>\n" + meta, html, count=1), encoding="utf-8")


def write_site(
    pages: dict[str, str],
    work: Path,
    out: Path,
    nav: list[Any] | None = None,
    extra: dict[str, bytes] | None = None,
    build_date: str | None = None,
    footer: str | None = None,
    engine: Engine = "material",
) -> int:
    """Generate into `work`, build into a temporary folder inside `work` with `engine`, then swap it
    into `out`.

    The temporary folder lives in the (git-ignored) work folder and is removed on any failure or
    interruption; one left by a killed build is removed by the next build.
    """
    digest = cache.site_digest([pages, nav, extra, build_date, footer, engine])
    if cache.site_up_to_date(work, out, digest):  # the same inputs as the site in place: nothing to build
        return 0
    cache.record_site(work, out, None)
    docs = work / "docs"
    write_pages(pages, docs, ROOT / "site_src" / "pages")
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in work.glob(".site-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=work))
    try:
        code = _build_into(tmp, work, docs, nav, extra, (build_date, footer), engine)
        if code == 0:
            swap(tmp, out, work)
            cache.record_site(work, out, digest)
        return code
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def source_date_epoch(day: str) -> int:
    """Seconds since 1970 of a YYYY-MM-DD day, kept where gzip's 32-bit timestamps can hold it (a
    commit dated before 1970 or after 2106 would make MkDocs' sitemap writer crash)."""
    seconds = int(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
    return min(max(seconds, 0), 2**32 - 1)


def _build_into(
    tmp: Path,
    work: Path,
    docs: Path,
    nav: list[Any] | None,
    extra: dict[str, bytes] | None,
    dated: tuple[str | None, str | None],
    engine: Engine = "material",
) -> int:
    """`dated`: the build's date (of the evidence) and the footer line."""
    build_date, footer = dated
    config = mkdocs_config(work, docs, tmp, nav, footer=footer, engine=engine)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if build_date:  # dates in the output come from the evidence, not the clock (reproducible builds)
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch(build_date))
    missing = missing_nav(engine, nav, docs)
    for page in missing:
        print(f"build.py: the navigation names {page}, which is not among the pages", file=sys.stderr)
    if missing or not run(engine, config, env):
        print(f"build.py: {engine_name(engine)} failed; the previous site was left untouched", file=sys.stderr)
        return 1
    try:
        add_csp(tmp, engine)
    except UnknownScript as exc:
        print(f"build.py: {exc}; the previous site was left untouched", file=sys.stderr)
        return 1
    for rel, data in (extra or {}).items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(data)
    return 0


def swap(tmp: Path, out: Path, work: Path) -> None:
    """Replace `out` with the finished build `tmp` (a rename when both are on one file system)."""
    staged = tmp
    if tmp.stat().st_dev != out.parent.stat().st_dev:  # another file system: copy beside `out` first
        staged = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
        shutil.copytree(tmp, staged, dirs_exist_ok=True)
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staged.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def project_version() -> str:
    """The version in pyproject.toml (when the package is not installed)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return text.split('version = "', 1)[1].split('"', 1)[0]
