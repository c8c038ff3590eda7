"""Stage 6, write: put generated pages on disk and build the HTML site with MkDocs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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


def mkdocs_config(work: Path, docs: Path, site: Path, config: Path = ROOT / "mkdocs.yml") -> Path:
    """A copy of mkdocs.yml pointing at the generated pages and the output folder."""
    text = config.read_text(encoding="utf-8")
    out = work / "mkdocs.yml"
    out.write_text(text + f"\ndocs_dir: {docs.resolve()}\nsite_dir: {site.resolve()}\n", encoding="utf-8")
    return out


def write_site(pages: dict[str, str], work: Path, out: Path) -> int:
    """Generate into `work`, build into a temporary folder, then swap it into `out` (atomic)."""
    docs = work / "docs"
    write_pages(pages, docs, ROOT / "site_src" / "pages")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=out.parent))
    config = mkdocs_config(work, docs, tmp)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)],
                            env=env)
    if result.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        print("build.py: mkdocs failed; the previous site was left untouched", file=sys.stderr)
        return 1
    old = out.with_name(out.name + ".old")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return 0
