# Two commands matter: `make run` (all of Sapa on this machine) and `make test`.
# `make test-fast` is lint and the unit tests only: every test not marked `slow` (see tests/conftest.py).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STAGE  ?= dev

.PHONY: install run test test-fast lint chromium screenshots package bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/sapa local

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The console's browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's Chromium for the console's browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing; install it with: sudo apt-get install -y chromium" >&2; exit 1; \
	  fi; }

test: lint chromium
	$(BIN)/pytest

# The README's console pictures, taken by the browser tests.
screenshots: install chromium
	SAPA_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/console/browser

test-fast: lint
	$(BIN)/pytest -m "not slow"

# Outside the local stage it needs SAPA_PUBLIC_URL and SAPA_EMAIL_SENDER (here, in the environment or in
# .chalice/config.json): make package STAGE=prod SAPA_PUBLIC_URL=https://... SAPA_EMAIL_SENDER=halo@...
package: install
	$(BIN)/python -m sapa_cli.package --stage $(STAGE)

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf dist vendor .sapa
