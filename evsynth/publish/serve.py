"""Publish for a person at work: serve the built site on loopback and rebuild when an input changes.

`serve` always serves. While a study or BibTeX file has problems it keeps serving the last build
made from valid files (until there is one, `rebuild` publishes the valid studies only), adds a
banner to every page it serves and lists the problems on PROBLEMS_URL. The banner, the list and
their stylesheet exist only in the served responses, never in the published folder.
"""

from __future__ import annotations

import functools
import http.server
import io
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evsynth.core.paths import ROOT
from evsynth.core.problems import Problem
from evsynth.render.serve_view import PROBLEMS_URL, STYLESHEET, STYLESHEET_URL, count_text, problems_page, with_banner


def inside_built_site(target: Path) -> Path | None:
    """The built site (a folder holding sitemap.xml, or site/) that `target` would be written into."""
    resolved = target.resolve()
    for folder in resolved.parents:
        if (folder / "sitemap.xml").exists() or folder == (ROOT / "site").resolve():
            return folder
    return None


def _snapshot(watched: list[Path]) -> dict[str, float]:
    files = [w for w in watched if w.is_file()] + [
        p for w in watched if w.is_dir() for p in w.rglob("*") if p.is_file()
    ]
    return {str(p): p.stat().st_mtime for p in files}


class State:
    """What the server shows: the problems of the last rebuild (none: the files are valid), and
    whether a build made from valid files has been published this session."""

    def __init__(self) -> None:
        self.problems: tuple[Problem, ...] = ()
        self.good = False
        self.looked_at: str | None = None  # the page the browser asked for last: built first after a change


Rebuild = Callable[[bool, list[Path], str | None], Sequence[Problem]]
Rest = Callable[[threading.Event], object]


def serve(out: Path, port: int, watched: list[Path], rebuild: Rebuild, rest: Rest | None = None) -> int:
    """Run `rebuild`, serve `out` on 127.0.0.1:port, and run `rebuild` again whenever a watched
    file or folder changes, until Ctrl-C. `rebuild(good, changed, looked_at)` builds and returns the
    problems that kept it from building the whole site; `good` says a build from valid files is being
    served, `changed` the files changed, `looked_at` the page last asked for. `rest`, when given, then
    finishes what `rebuild` left for later (a first pass builds only the pages looked at first), in
    the background, stopped (its event set) when a newer change arrives."""
    state = State()
    seen = _snapshot(watched)
    _rebuild(state, rebuild, port, [])
    background = Background(rest)
    background.start(state)
    background.stop(wait=True)  # the first build: whole before serving
    server = start_server(out, port, state)
    print(f"serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    try:
        while True:
            time.sleep(0.1)
            now = _snapshot(watched)
            if now != seen:
                changed = sorted(Path(p) for p in set(now) ^ set(seen) | {p for p in now if seen.get(p) != now[p]})
                seen = now
                background.stop()
                _rebuild(state, rebuild, port, changed)
                background.start(state)
    except KeyboardInterrupt:
        background.stop()
        server.shutdown()
        return 0


def start_server(out: Path, port: int, state: State) -> http.server.ThreadingHTTPServer:
    """Serve `out` on 127.0.0.1:port (0: any free port) in a thread, as `state` says."""
    handler = functools.partial(Handler, directory=str(out), state=state)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Background:
    """`rest` run in a thread after a valid rebuild; `stop` asks it to stop (or waits for it) and joins."""

    def __init__(self, rest: Rest | None) -> None:
        self.rest = rest
        self.thread: threading.Thread | None = None
        self.cancel = threading.Event()

    def start(self, state: State) -> None:
        if self.rest is not None and not state.problems:
            self.cancel = threading.Event()
            self.thread = threading.Thread(target=self.rest, args=(self.cancel,), daemon=True)
            self.thread.start()

    def stop(self, wait: bool = False) -> None:
        if self.thread is not None:
            if not wait:
                self.cancel.set()
            self.thread.join()
            self.thread = None


def _rebuild(state: State, rebuild: Rebuild, port: int, changed: list[Path]) -> None:
    problems = tuple(rebuild(state.good, changed, state.looked_at))
    state.good = state.good or not problems
    state.problems = problems
    if problems:
        print(f"{count_text(len(problems))}: http://127.0.0.1:{port}{PROBLEMS_URL}", file=sys.stderr)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; while there are problems, adds the banner to every HTML page, and always
    answers PROBLEMS_URL and STYLESHEET_URL from memory."""

    def __init__(self, *args: Any, state: State, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def send_head(self) -> Any:
        route = urllib.parse.urlsplit(self.path).path
        problems = self.state.problems
        if route in (PROBLEMS_URL, PROBLEMS_URL.rstrip("/"), PROBLEMS_URL + "index.html"):
            return self._answer(problems_page(problems, self._read("404.html")), "text/html; charset=utf-8")
        if route == STYLESHEET_URL:
            return self._answer(STYLESHEET, "text/css; charset=utf-8")
        page = self._html_file(route)
        if page is not None and route != "/404.html":
            self.state.looked_at = route
        if problems and page is not None:
            return self._answer(
                with_banner(page.read_text(encoding="utf-8"), len(problems)), "text/html; charset=utf-8"
            )
        return super().send_head()

    def _read(self, rel: str) -> str | None:
        path = Path(self.directory) / rel
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def _html_file(self, route: str) -> Path | None:
        """The HTML file a GET of `route` answers with, when it is one."""
        path = Path(self.translate_path(route))
        if path.is_dir() and route.endswith("/"):
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _answer(self, text: str, ctype: str) -> io.BytesIO:
        data = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")  # the banner comes and goes with the files
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass
