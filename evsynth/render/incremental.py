"""Render through a memo (`core.memo`): a page or figure is rendered only when its inputs changed.

A page's inputs are the values its template can read: the names the template and every template it
includes, imports or extends leave undeclared (jinja2's own analysis), looked up in the context the
page is rendered with. A template that never names `syn` does not depend on the whole synthesis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import meta

from evsynth.core.memo import Memo

_PARSED: dict[str, tuple[frozenset[str], tuple[str | None, ...]]] = {}  # by source: names, templates used


def _parse(env: jinja2.Environment, name: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    if source not in _PARSED:
        ast = env.parse(source)
        _PARSED[source] = frozenset(meta.find_undeclared_variables(ast)), tuple(meta.find_referenced_templates(ast))
    return _PARSED[source]


def template_names(env: jinja2.Environment, template: str) -> frozenset[str]:
    """Every context name `template` (with the templates it includes, imports or extends) may read;
    {"*"} when it names a template only at run time."""
    names: set[str] = set()
    seen: set[str] = set()
    todo: list[str | None] = [template]
    while todo:
        name = todo.pop()
        if name is None:  # a template named at run time: it may read anything
            return frozenset({"*"})
        if name not in seen:
            seen.add(name)
            found, refs = _parse(env, name)
            names |= found
            todo += refs
    return frozenset(names)


def render_page(memo: Memo | None, env: jinja2.Environment, path: str, template: str, context: dict[str, Any]) -> str:
    """`template` rendered with `context` for the page at `path`, from the memo when its inputs are
    unchanged."""

    def make() -> str:
        return env.get_template(template).render(**context)

    if memo is None:
        return make()
    names = template_names(env, template)
    inputs = context if "*" in names else {k: v for k, v in context.items() if k in names}
    return memo.get(f"page:{template}:{path}", inputs, make)


def figure(memo: Memo | None, name: str, inputs: dict[str, Any], make: Callable[[], str]) -> str:
    """A figure drawn by `make` from `inputs`, from the memo when they are unchanged."""
    return make() if memo is None else memo.get(f"figure:{name}", inputs, make)


def downloads(memo: Memo | None, inputs: dict[str, Any], make: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The downloads made by `make` from `inputs` (by file name), from the memo when they are unchanged."""
    if memo is None:
        return make()
    found = json.loads(memo.get("downloads", inputs, lambda: json.dumps(make())))
    return {str(k): str(v) for k, v in found.items()}
