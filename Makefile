# The two commands the README opens with. Both set up everything they need on a fresh machine
# (only Python >= 3.11 and the package registries are required).
PYTHON ?= python3

.PHONY: demo test lint help

help:
	@echo "make demo   - run the example DAGs against the bundled LinkedIn Ads emulator (SQLite metadata DB)"
	@echo "make test   - lint, type-check, build the docs, run the whole test suite on Airflow 3.3.2 and 2.11.2, smoke-test 3.0-3.2"

demo:
	PYTHON=$(PYTHON) bash scripts/demo

test:
	PYTHON=$(PYTHON) bash scripts/test

lint:
	PYTHON=$(PYTHON) AIRFLOW_LINES=3 LINT_ONLY=1 bash scripts/test
