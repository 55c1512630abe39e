# Shortcuts; the scripts they call need only Python, so they also work where make is missing.
PYTHON ?= python3

.PHONY: run test lint worker beat

run:
	$(PYTHON) scripts/run.py

test:
	$(PYTHON) scripts/test.py

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

worker:
	.venv/bin/celery -A mlmaturity worker --loglevel=INFO

beat:
	.venv/bin/celery -A mlmaturity beat --loglevel=INFO
