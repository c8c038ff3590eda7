"""`serve`'s site, built in this process by MkDocs' Python API (no subprocess per change).

The generated Markdown lives in a folder of its own that is written file by file, only where the text
changed, so the files' times tell MkDocs what changed. After a change, `quick` writes the changed
pages straight into the served folder (MkDocs' dirty build: only Markdown newer than its HTML is
built; not strict; the search index of the last full build is kept); `full` then builds the whole
site strictly into a temporary folder and swaps it in, as `build.py site` does.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from evsynth.core.paths import ROOT
from evsynth.publish.site import UnknownScript, base_url, csp_for, mkdocs_config, source_date_epoch, swap


class Cancelled(Exception):
    """A newer change arrived: the build in progress is abandoned."""


def check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


def _hooks(site: Path, cancel: threading.Event | None) -> Any:
    """A MkDocs plugin that gives each page its Content-Security-Policy before it is written (a page
    is never served without it) and stops the build at the next page once `cancel` is set."""
    from mkdocs.plugins import BasePlugin

    def with_csp(html: str, dest: Path) -> str:
        policy = csp_for(html, base_url(dest, site), str(dest.relative_to(site)))
        meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        return re.sub(r"<head>", "<head>\n" + meta, html, count=1)

    class Hooks(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        def on_page_markdown(self, markdown: str, **kwargs: Any) -> str:
            check(cancel)
            return markdown

        def on_post_page(self, output: str, page: Any, **kwargs: Any) -> str:
            check(cancel)
            return with_csp(output, Path(page.file.abs_dest_path))

        def on_post_template(self, output: str, template_name: str, **kwargs: Any) -> str:
            return with_csp(output, site / template_name) if template_name.endswith(".html") else output

    return Hooks()


def _write_whole(content: bytes, output_path: str) -> None:
    """MkDocs' write_file, atomic: a page being served is never read half written."""
    os.makedirs(os.path.dirname(output_path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=os.path.dirname(output_path))
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, output_path)


class _Bytecode(jinja2.BytecodeCache):
    """The theme's templates compiled once per session (a bucket is keyed by the template's source)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Bytecode()
_LISTED: dict[tuple[str, ...], list[str]] = {}


def _fast_theme(theme: Any, overrides: Path) -> None:
    """Every build loads the theme anew: its templates compiled and its files (thousands of icons)
    listed once per session instead; a change to the overrides lists them again."""
    get_env = theme.get_env

    def env() -> jinja2.Environment:
        made = get_env()
        made.bytecode_cache = _COMPILED
        key = tuple(theme.dirs) + tuple(sorted(str(p) for p in overrides.rglob("*")))
        listing = made.list_templates

        def listed(*args: Any, **kwargs: Any) -> list[str]:
            if args or kwargs:
                return list(listing(*args, **kwargs))
            if key not in _LISTED:
                _LISTED[key] = listing()
            return list(_LISTED[key])

        made.list_templates = listed  # type: ignore[method-assign]
        return made  # type: ignore[no-any-return]

    theme.get_env = env


_SEARCH = ("search/search_index.json", "search/search_index.js")


def sync(pages: dict[str, str], docs: Path, static: Path = ROOT / "site_src" / "pages") -> list[str]:
    """Make `docs` hold the hand-written pages of `static` and `pages`, writing only the files whose
    text changed and removing the others; the changed files, by path."""
    wanted = {str(p.relative_to(static)): p.read_bytes() for p in static.rglob("*") if p.is_file()}
    wanted |= {rel: text.encode("utf-8") for rel, text in pages.items()}
    changed = []
    for rel, data in sorted(wanted.items()):
        target = docs / rel
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            changed.append(rel)
    for path in sorted(docs.rglob("*"), reverse=True):
        rel = str(path.relative_to(docs))
        if path.is_file() and rel not in wanted:
            path.unlink()
            changed.append(rel)
    return changed


def first_pages(changed: list[Path], looked_at: str | None) -> Callable[[str], bool]:
    """Which renderings a first pass makes: the pages of the changed studies and the page looked at."""
    paths = {f"studies/{p.stem}/index.md" for p in changed if p.suffix in (".yaml", ".yml")}
    if looked_at:
        route = looked_at.split("?", 1)[0].removesuffix("index.html").strip("/")
        paths.add(f"{route}/index.md" if route else "index.md")
    return lambda what: what.rsplit(":", 1)[-1] in paths


def go_on(cancel: threading.Event, what: str) -> bool:
    """Make `what` now (a full pass), unless a newer change has set `cancel`: then stop (Cancelled)."""
    check(cancel)
    return True


class LiveSite:
    """The served folder `out` and its Markdown in `work`/live-docs."""

    def __init__(self, out: Path, work: Path) -> None:
        self.out, self.work = out, work / "live"
        self.docs = self.work / "docs"
        self.ready = False  # a full build is in `out`: a quick build may follow

    def _build(
        self,
        site: Path,
        nav: list[Any] | None,
        dated: tuple[str | None, str | None],
        dirty: bool,
        cancel: threading.Event | None = None,
    ) -> bool:
        import mkdocs.utils
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        build_date, footer = dated
        os.environ["NO_MKDOCS_2_WARNING"] = "1"
        if build_date:
            os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(build_date))
        config = load_config(str(mkdocs_config(self.work, self.docs, site, nav, footer=footer)))
        logger = logging.getLogger("mkdocs")
        level = logger.level
        _fast_theme(config.theme, self.work / "overrides")
        config.plugins["evsynth-hooks"] = _hooks(site, cancel)
        if dirty:  # MkDocs warns that a dirty build is one; the full build that follows is strict
            config.strict = False
            logger.setLevel(logging.ERROR)
        written, mkdocs.utils.write_file = mkdocs.utils.write_file, _write_whole
        try:
            build(config, dirty=dirty)
            return True
        except (MkDocsException, OSError, UnknownScript) as exc:
            print(f"build.py: mkdocs failed ({exc}); the previous site was left untouched", file=sys.stderr)
            return False
        finally:
            logger.setLevel(level)
            mkdocs.utils.write_file = written

    def quick(self, pages: dict[str, str], nav: list[Any] | None, dated: tuple[str | None, str | None]) -> bool:
        """Build the pages whose Markdown changed into `out` (False: no full build to start from)."""
        if not self.ready:
            return False
        sync(pages, self.docs)
        kept = {rel: (self.out / rel).read_bytes() for rel in _SEARCH if (self.out / rel).is_file()}
        self.ready = self._build(self.out, nav, dated, dirty=True)
        for rel, data in kept.items():
            _write_whole(data, str(self.out / rel))
        return self.ready

    def full(
        self,
        pages: dict[str, str],
        nav: list[Any] | None,
        dated: tuple[str | None, str | None],
        extra: dict[str, bytes],
        cancel: threading.Event | None = None,
    ) -> int:
        """Build the whole site strictly, then swap it into `out` (Cancelled once `cancel` is set)."""
        sync(pages, self.docs)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=self.work))
        try:
            if not self._build(tmp, nav, dated, dirty=False, cancel=cancel):
                return 1
            for rel, data in extra.items():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp / rel).write_bytes(data)
            check(cancel)
            swap(tmp, self.out, self.work)
            self.ready = True
            return 0
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
