"""Stage 6, write: put generated pages on disk and build the HTML site with MkDocs."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from datetime import datetime, timezone
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


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


def mkdocs_config(work: Path, docs: Path, site: Path, nav: list[Any] | None = None,
                  config: Path = ROOT / "mkdocs.yml") -> Path:
    """A copy of mkdocs.yml pointing at the generated pages and output folder, with the generated nav."""
    text = config.read_text(encoding="utf-8")
    overrides = work / "overrides"
    if overrides.exists():
        shutil.rmtree(overrides)
    shutil.copytree(ROOT / "site_src" / "overrides", overrides)
    extra = {"docs_dir": str(docs.resolve()), "site_dir": str(site.resolve())}
    if nav is not None:
        extra["nav"] = nav  # type: ignore[assignment]
    out = work / "mkdocs.yml"
    out.write_text(text + "\n" + yaml.safe_dump(extra, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")


def csp_for(html: str) -> str:
    """A policy allowing this page's own inline scripts (by hash) and no other inline script."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
                     for attrs, body in _INLINE_SCRIPT.findall(html) if "application/json" not in attrs})
    return CSP.format(hashes=" ".join(hashes))


def add_csp(site: Path) -> None:
    """Insert a Content-Security-Policy meta element at the top of every page's <head>."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        meta = f'<meta http-equiv="Content-Security-Policy" content="{csp_for(html)}">'
        page.write_text(re.sub(r"<head>", "<head>\n" + meta, html, count=1), encoding="utf-8")


def write_site(pages: dict[str, str], work: Path, out: Path, nav: list[Any] | None = None,
               extra: dict[str, bytes] | None = None, build_date: str | None = None) -> int:
    """Generate into `work`, build into a temporary folder, then swap it into `out` (atomic)."""
    docs = work / "docs"
    write_pages(pages, docs, ROOT / "site_src" / "pages")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=out.parent))
    config = mkdocs_config(work, docs, tmp, nav)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if build_date:  # dates in the output come from the evidence, not the clock (reproducible builds)
        env["SOURCE_DATE_EPOCH"] = str(int(datetime.strptime(build_date, "%Y-%m-%d")
                                           .replace(tzinfo=timezone.utc).timestamp()))
    # Not --quiet: it hides warnings from the counter that makes --strict fail.
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)],
                            env=env, capture_output=True, text=True)
    noise = [line for line in result.stderr.splitlines() if not line.startswith("INFO")]
    if result.returncode != 0 or any("WARNING" in line for line in noise):
        sys.stderr.write("\n".join(noise) + "\n")
    if result.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        print("build.py: mkdocs failed; the previous site was left untouched", file=sys.stderr)
        return 1
    add_csp(tmp)
    for rel, data in (extra or {}).items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(data)
    old = out.with_name(out.name + ".old")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return 0
