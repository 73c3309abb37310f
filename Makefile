# The two set-up commands of the README: `make demo` runs the main job, `make test` the tests.
# Both install what they need first; the venv and the services' cache live outside git.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint services-down clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Murmure needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,airflow]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/murmure services up
	$(BIN)/murmure demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict dags/*.py

test: lint
	$(BIN)/murmure services up
	$(BIN)/pytest

services-down:
	$(BIN)/murmure services down

clean:
	-$(BIN)/murmure services down --wipe
	rm -rf $(VENV)
