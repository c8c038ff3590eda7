# `make site` builds the site and PDF; `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

DEBS := chromium:chromium

.PHONY: site test check typecheck clean debs

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

site: $(STAMP)
	$(PY) build.py check --errors-only
	$(PY) build.py site

check: $(STAMP)
	$(PY) build.py check

typecheck: $(STAMP)
	$(PY) -m mypy

debs:
	bash scripts/ensure-debian-packages.sh $(DEBS)

test: $(STAMP) debs
	$(PY) -m mypy
	$(PY) -m pytest

clean:
	rm -rf site build .pytest_cache .mypy_cache .hypothesis test-artifacts
