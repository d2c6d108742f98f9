# The two commands a newcomer needs (README): `make run` and `make test`.
# Everything else is a shortcut for developers.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON := .venv/bin/python

.PHONY: help run test setup lint format migrations demo ci audit lock

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

run: ## Install what is missing, load the demo data, start web server and Celery (Ctrl-C stops)
	@scripts/run.sh

test: ## Install what is missing and run the tests (pass pytest options as ARGS="-k name")
	@scripts/test.sh $(ARGS)

setup: ## Install system and Python packages only
	@scripts/setup.sh test

lint: setup ## ruff, the import contract, the state diagrams and the missing-migrations check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/bandit -q -c pyproject.toml -r . --severity-level medium
	$(PYTHON) manage.py workflow_diagram --check
	$(PYTHON) manage.py makemigrations --check --dry-run

format: setup ## Format and sort imports with ruff
	.venv/bin/ruff check --fix --select I .
	.venv/bin/ruff format .

migrations: setup ## Create migrations for model changes
	$(PYTHON) manage.py makemigrations

demo: setup ## Load the demo data into the database (idempotent)
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py demo_data

ci: ## What CI runs: lint, tests on PostgreSQL and Redis, and a smoke test of `make run`
	@bash .ci/run

audit: setup ## Known vulnerabilities in the installed packages (pip-audit; needs PyPI's advisory service)
	@scripts/audit.sh

lock: setup ## Re-pin requirements.lock (exact versions with hashes) after changing pyproject.toml
	scripts/lock.sh
