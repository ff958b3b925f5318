# keepitlocal: `make run` to try it, `make test` to check it, `make setup` for the CLI alone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
# uv is installed with pip when missing; `python3 -m uv` finds it wherever pip put it.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
KIL := .venv/bin/kil
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup system python assets db run test lint fmt clean

help:
	@echo "make run    set up, load the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run every check and test (unit, integration, end-to-end)"
	@echo "make setup  the .venv with the kil command, built assets and a migrated database"

setup: system python assets db

# Pango, HarfBuzz-Subset (WeasyPrint warns without it, and will require it) and fonts for the PDF reports.
system:
	bash scripts/ensure-debian-packages.sh libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation

python:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv==0.13.8
	$(UV) sync --locked --quiet --compile-bytecode
	@# Compiled once here: every `kil` run and test process otherwise compiles what it imports again (where
	@# PYTHONDONTWRITEBYTECODE is set, nothing compiled is kept), seconds before the first file is read.
	.venv/bin/python -m compileall -q src >/dev/null

assets:
	npm ci --no-audit --no-fund --loglevel=error
	bash scripts/build-assets.sh

db: python
	$(KIL) manage migrate --noinput -v0
	$(KIL) load-reference

# Every emailed link (invitations, password resets) names the address the platform is served on.
run: export KIL_BASE_URL ?= http://$(HOST):$(PORT)
run: setup
	$(KIL) load-demo
	@echo "Serving on http://$(HOST):$(PORT) with a background worker (press Ctrl+C to stop both)"
	@$(KIL) manage db_worker --interval 1 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(KIL) manage runserver --noreload $(HOST):$(PORT)

lint: python
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	$(KIL) manage makemigrations --check --dry-run -v1

test: setup lint
	bash scripts/ensure-debian-packages.sh chromium
	.venv/bin/pytest

fmt: python
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

clean:
	rm -rf .venv node_modules build var
