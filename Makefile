# OpenCSMS developer commands. CI runs `make test` (see .ci/run); the README's two commands are
# `make demo` and `make test`. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
NPM_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | cksum | cut -d' ' -f1)
CHROMIUM  := /usr/bin/chromium
HOST   ?= 127.0.0.1
PORT   ?= 8000
MODEL  := examples/connected-ev.tara.yaml
OUT    := out

.PHONY: setup chromium demo worker test lint typecheck unit size bench bless clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "OpenCSMS needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

# Front-end files come from npm (package-lock.json), never from the repository; Django collects them from
# node_modules/*/dist. Node 20+ is required: without npm, set-up fails.
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer (apt-get install -y nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund
	@rm -f node_modules/.installed-* && touch $@

# The browser tests drive Debian's Chromium (Playwright downloads no browser here): only the tests need it.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: run  sudo apt-get install -y chromium  (the browser tests need $(CHROMIUM))"; exit 1; fi; \
	fi

setup: $(STAMP) $(NPM_STAMP)

# The web application on http://$(HOST):$(PORT) with demo data (SQLite under var/) and the background task
# worker beside it (Ctrl-C stops both), and the reference model's HTML and XLSX reports in out/. DEBUG is off,
# so the pages look as they will in production.
demo: setup
	$(BIN)/opencsms tara check $(MODEL)
	$(BIN)/opencsms tara report $(MODEL) --format html --output $(OUT)/connected-ev.html
	$(BIN)/opencsms tara report $(MODEL) --format xlsx --output $(OUT)/connected-ev.xlsx
	@echo "Reports: $(OUT)/connected-ev.html and $(OUT)/connected-ev.xlsx"
	OPENCSMS_DEBUG=false $(BIN)/opencsms server manage migrate --noinput
	OPENCSMS_DEBUG=false $(BIN)/opencsms server demo
	OPENCSMS_DEBUG=false $(BIN)/opencsms server serve --host $(HOST) --port $(PORT) --with-worker

worker: setup  ## the background task worker alone (`make demo` and `serve --with-worker` start one)
	$(BIN)/opencsms worker

test: lint size unit  ## everything CI checks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/opencsms catalogue validate
	$(BIN)/opencsms server manage makemigrations --check --dry-run

# Every test on SQLite, then the database tests again on PostgreSQL (127.0.0.1:5432, database `test`, or
# OPENCSMS_TEST_POSTGRES_URL). Without PostgreSQL the second run skips them, except in CI (CI=true), where it
# fails. The browser tests (tests/browser, marked django_db) run in both passes.
unit: setup chromium
	$(BIN)/pytest -n 2
	OPENCSMS_TEST_DB=postgres $(BIN)/pytest -n 2 -m django_db

size:  ## no module over 400 lines
	@! find src -name '*.py' -not -path '*/migrations/*' -exec wc -l {} + | awk '$$2!="total" && $$1>400' | grep .

bench: setup
	$(BIN)/python bench/tara_scale.py --yaml
	$(BIN)/python bench/vulns_scan.py

bless: setup  ## rewrite golden files from the current output (review the diff!)
	$(BIN)/pytest --update-golden

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache
