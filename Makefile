# lscb-workbench: the two commands a newcomer needs.
#   make report   set up, ingest the bundled demo returns, run the latest quarter, print the index path
#   make test     set up the same way and run the whole test suite (unit tests + nbval over every notebook)
# Everything installs into .venv/ with pip; nothing is installed system-wide except the optional
# Debian Chromium used by the real-browser test (skipped with a clear message where it cannot be installed).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QUARTER ?= latest

.PHONY: report test setup ingest run annual demo browser bench clean help
.DEFAULT_GOAL := help

help:
	@echo "make report   build the quarterly board pack (reports/<quarter>/index.html)"
	@echo "make annual   publish the demo's yearly report (reports/2026-27-annual/index.html)"
	@echo "make test     run unit tests and nbval over every notebook"
	@echo "make bench    time the pack against the naive papermill+nbconvert loop"
	@echo "make clean    remove generated reports and the processed store"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

ingest: $(STAMP)
	$(BIN)/lscb ingest --quarter all

run: ingest
	$(BIN)/lscb run --quarter "$(QUARTER)"

report: run

# The partnership's yearly report from the demo year's quarters (reports/2026-27-annual/).
annual: run
	$(BIN)/lscb annual --year 2026-27

# Regenerate the bundled demo returns (deterministic: the result equals the committed files).
demo: $(STAMP)
	$(BIN)/lscb demo

# Debian Chromium and axe-core (npm) for the real-browser test; a failure here only means that test is
# skipped (with a reason).
browser:
	@bash tests/browser/install_chromium.sh
	@bash tests/browser/install_axe.sh

# The pack is built first: tests scan the published HTML and open it in a real browser.
test: $(STAMP) run annual browser
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider tests notebooks

bench: ingest
	$(BIN)/python bench/pack.py

clean:
	rm -rf reports/*/ data/processed/store data/processed/*.parquet data/processed/summaries
