"""Where things are: the one definition of the repository's folders that the stages read or write."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # evsynth/
ROOT = PACKAGE.parent  # the repository
SITE_SRC = ROOT / "site_src"
TEMPLATES = SITE_SRC / "templates"  # jinja2 templates of the generated pages
STATIC_PAGES = SITE_SRC / "pages"  # hand-written pages and assets
OVERRIDES = SITE_SRC / "overrides"  # Material theme overrides
PDF_DIR = SITE_SRC / "pdf"  # print template, CSS and fonts
VOCABULARY = PACKAGE / "vocabulary.yaml"
STUDY_TEMPLATE = PACKAGE / "study_template.yaml"
MKDOCS_CONFIG = ROOT / "mkdocs.yml"
EVIDENCE = ROOT / "evidence"
REFERENCES = ROOT / "references"
