# `make site` builds the site and PDF; `make test` runs every test. Both set up .venv first.
# `make site ENGINE=zensical` builds the pages with Zensical instead of Material for MkDocs.
PYTHON ?= python3
ENGINE ?= material
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

# Debian packages: Pango for WeasyPrint (the PDF); for the tests Chromium (browser and accessibility
# tests), Poppler's pdfinfo and pdftotext (the PDF's tags and text), Java (the W3C Nu HTML checker)
# and npm (axe-core, pinned in package-lock.json).
DEBS_SITE := libpango-1.0-0 libpangoft2-1.0-0
DEBS_TEST := $(DEBS_SITE) chromium poppler-utils java:default-jre-headless npm:npm
NPM_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)

.PHONY: site test check typecheck lint clean install debs-site debs-test bench

# The site needs requirements.txt only; the tests add requirements-dev.txt (pytest, mypy, ruff...).
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-[0-9]* && touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* && touch $(DEV_STAMP)

install: $(STAMP)

debs-site:
	bash scripts/ensure-debian-packages.sh $(DEBS_SITE)

site: $(STAMP) debs-site
	$(PY) build.py check --errors-only
	$(PY) build.py site --engine $(ENGINE)

check: $(STAMP)
	$(PY) build.py check

typecheck: $(DEV_STAMP)
	$(PY) -m mypy

lint: $(DEV_STAMP)
	$(PY) -m ruff check
	$(PY) -m ruff format --check

debs-test:
	bash scripts/ensure-debian-packages.sh $(DEBS_TEST)

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(NPM_STAMP)

test: $(DEV_STAMP) debs-test $(NPM_STAMP)
	$(PY) -m ruff check
	$(PY) -m ruff format --check
	$(PY) -m mypy
	$(PY) -m pytest

bench: $(DEV_STAMP) debs-test $(NPM_STAMP)
	$(PY) benchmarks/all.py

clean:
	rm -rf site build .pytest_cache .mypy_cache .hypothesis test-artifacts node_modules
