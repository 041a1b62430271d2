# dangvien: two commands for a newcomer, both safe to run again and again.
#   make run    set up, then serve the app with demo data at http://127.0.0.1:8000
#   make test   set up, then run the whole test suite (SQLite; browser tests in Chromium)
# Set-up = .venv with the versions pinned in requirements.lock (scripts/bootstrap-venv),
# reinstalled only when requirements.lock or pyproject.toml change.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Extra pytest arguments, e.g.  make test PYTEST_ARGS="-k candidates -x"
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core by default; JOBS=0 runs in this process.
JOBS ?= auto
XDIST := -n $(JOBS) --dist loadscope

.DEFAULT_GOAL := help
.PHONY: help venv system-deps run test pg-test lint lock clean

help:
	@echo "make run      set up and serve the app with demo data at http://127.0.0.1:8000"
	@echo "make test     set up and run the test suite (SQLite, browser tests included)"
	@echo "make pg-test  the test suite against a throwaway PostgreSQL"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make lock     re-resolve dependencies into requirements.lock"
	@echo "make clean    remove .venv and test artifacts (keeps var/, the database)"

venv:
	@scripts/bootstrap-venv

system-deps:
	@scripts/ensure-system-deps

run: export DEBUG = 1
run: venv
	@mkdir -p "$${DANGVIEN_VAR_DIR:-var}"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python scripts/seed-demo
	@# The background worker (imports) runs beside the server and stops with it.
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Bytecode is written even where the machine says not to (PYTHONDONTWRITEBYTECODE): pytest
# keeps each test module with its rewritten asserts there, and rewriting all of them again
# costs each test process about 20 s.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest

test: export DEBUG = 1
test: venv system-deps
	$(PYTEST) $(XDIST) $(PYTEST_ARGS)

pg-test: export DEBUG = 1
pg-test: venv system-deps
	scripts/with-postgres $(PYTEST) --create-db $(XDIST) $(PYTEST_ARGS)

lint: venv
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/mypy dangvien || status=1; \
	exit $$status

lock:
	scripts/update-lock

clean:
	rm -rf $(VENV) test-artifacts
