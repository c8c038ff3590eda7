"""The two generators that turn the generated Markdown into HTML, both reading mkdocs.yml: Material
for MkDocs (`mkdocs build`, the default) and its successor Zensical (`zensical build`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from evsynth.core.paths import ROOT

Engine = Literal["material", "zensical"]
ENGINES: tuple[Engine, ...] = get_args(Engine)
# Zensical's own search dialog is named already; Material's needs our copy of its partial.
_MATERIAL_ONLY = ("partials/search.html",)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def templates(engine: Engine) -> Path:
    """The theme templates the engine renders pages with (where its inline scripts are written)."""
    if engine == "zensical":
        import zensical

        return Path(zensical.__file__).parent / "templates"
    import material

    return Path(material.__file__).parent / "templates"


def config_for(
    engine: Engine,
    work: Path,
    docs: Path,
    site: Path,
    nav: list[Any] | None,
    config: Path = ROOT / "mkdocs.yml",
    copyright_html: str | None = None,
) -> Path:
    """A copy of mkdocs.yml in `work`, pointing at the generated pages and output folder, with the
    generated nav and the theme overrides beside it.

    Zensical requires both folders inside the folder of the config (its project root), and stops
    on an absolute `docs_dir`: it gets `docs` relative to `work`. It draws Material's look as its
    `classic` variant, which our CSS and screenshots are made for."""
    overrides = work / "overrides"
    if overrides.exists():
        shutil.rmtree(overrides)
    skip = shutil.ignore_patterns(*(Path(p).name for p in _MATERIAL_ONLY)) if engine == "zensical" else None
    shutil.copytree(ROOT / "site_src" / "overrides", overrides, ignore=skip)
    extra: dict[str, Any] = {"docs_dir": str(docs.resolve()), "site_dir": str(site.resolve())}
    text = config.read_text(encoding="utf-8")
    if engine == "zensical":
        extra["docs_dir"] = os.path.relpath(docs.resolve(), work.resolve())
        text = re.sub(r"^( +)name: material\b.*$", r"\g<0>\n\1variant: classic", text, count=1, flags=re.M)
    if nav is not None:
        extra["nav"] = nav
    if copyright_html:
        extra["copyright"] = copyright_html  # the footer line of every page, already escaped
    out = work / "mkdocs.yml"
    out.write_text(text + "\n" + yaml.safe_dump(extra, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def missing_nav(engine: Engine, nav: list[Any] | None, docs: Path) -> list[str]:
    """Nav entries naming a page that is not in `docs`. MkDocs' strict mode refuses them itself
    (`validation.nav.not_found`); Zensical 0.0.73 drops them silently, so they are found here."""
    if engine == "material" or nav is None:
        return []
    missing, todo = [], list(nav)
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, str) and item.endswith(".md") and not (docs / item).is_file():
            missing.append(item)
    return sorted(missing)


def engine_name(engine: Engine) -> str:
    """The program that builds, as its messages name it."""
    return "mkdocs" if engine == "material" else "zensical"


def command(engine: Engine, config: Path) -> list[str]:
    """The strict build: a broken link, anchor or nav entry fails it."""
    return [sys.executable, "-m", engine_name(engine), "build", "--strict", "-f", str(config)]


def run(engine: Engine, config: Path, env: dict[str, str]) -> bool:
    """Build; print the engine's warnings and errors (not its progress notes); True when it built."""
    result = subprocess.run(command(engine, config), env=env, capture_output=True, text=True)
    if engine == "material":
        # Not --quiet: it hides warnings from the counter that makes --strict fail.
        noise = [line for line in result.stderr.splitlines() if not line.startswith("INFO")]
        if result.returncode != 0 or any("WARNING" in line for line in noise):
            sys.stderr.write("\n".join(noise) + "\n")
        return result.returncode == 0
    # Zensical prints each problem in colour on stderr, then (with --strict) a Python traceback.
    text = _ANSI.sub("", result.stderr).split("Traceback (most recent call last)", 1)[0].rstrip()
    if text and (result.returncode != 0 or "Warning" in text):
        sys.stderr.write(text + "\n")
    if result.returncode != 0 and not text:
        sys.stderr.write(_ANSI.sub("", result.stderr + result.stdout)[-2000:] + "\n")
    return result.returncode == 0
