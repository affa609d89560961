# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format worker beat messages demo-clean bench load backup-check

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $@

# The embedded default: SQLite under var/, Celery tasks in-process, demo data (its usage,
# and its indicator snapshots since last January) on first run.
run: install
	DEBUG=true $(MANAGE) migrate --no-input
	DEBUG=true $(MANAGE) import_catalogue requirements/catalogue/rs220477.yaml
	DEBUG=true $(MANAGE) seed_demo --if-empty
	DEBUG=true $(MANAGE) seed_demo_usage
	DEBUG=true $(MANAGE) compute_indicators --if-empty --since $$(( $$(date +%Y) - 1 ))
	DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

# The region-wide reads at 200, 2,000 and 20,000 clinics on PostgreSQL, beside their bounds
# (bench/run.py); the seeded databases are kept between runs. Table in var/bench/latest.md.
bench: install
	$(BIN)/python bench/run.py

# gunicorn (2 workers) on the 20,000-clinic bench database under wrk at 32 connections for
# 60 s, then again with a web worker and the Celery worker killed halfway (bench/load.py).
# Needs PostgreSQL, Redis and Debian's wrk. Table in var/bench/load.md.
load: install
	$(BIN)/pip install --quiet --constraint constraints.txt gunicorn
	@command -v wrk >/dev/null || { echo "make load needs wrk: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python bench/load.py

# Backs up a demo database with pg_dump, restores it into an empty one and shows that the
# app reads the same totals, export and history from it (deploy/backup_check.py).
# PostgreSQL from DATABASE_URL (default: the local server).
backup-check: install
	$(BIN)/python deploy/backup_check.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	DEBUG=true $(BIN)/celery --app halland_utbud worker --loglevel INFO

beat: install
	DEBUG=true $(BIN)/celery --app halland_utbud beat --loglevel INFO
