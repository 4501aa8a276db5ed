# OpenCSMS developer commands. CI runs `make test` (see .ci/run); the README's two commands are
# `make demo` and `make test`. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
MODEL  := examples/connected-ev.tara.yaml
OUT    := out

.PHONY: setup demo test lint typecheck unit size bench bless clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "OpenCSMS needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

demo: setup  ## evaluate the reference model, write its HTML and XLSX reports
	$(BIN)/opencsms tara check $(MODEL)
	$(BIN)/opencsms tara report $(MODEL) --format html --output $(OUT)/connected-ev.html
	$(BIN)/opencsms tara report $(MODEL) --format xlsx --output $(OUT)/connected-ev.xlsx
	@echo "Open $(OUT)/connected-ev.html in a browser and $(OUT)/connected-ev.xlsx in a spreadsheet."

test: lint size unit  ## everything CI checks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/opencsms catalogue validate
	$(BIN)/opencsms server manage makemigrations --check --dry-run

# Every test on SQLite, then the database tests again on PostgreSQL (127.0.0.1:5432, database `test`).
# Without PostgreSQL the second run skips them, except in CI (CI=true), where it fails.
unit: setup
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
