# schakel developer commands. Needs Python >= 3.11; `run`, `test` and `bench` also need Java 17+
# and Maven (the Kafka broker's jars are fetched once from Maven Central into .cache/); `test`
# also Node.js 20+ with npm (the official AsyncAPI CLI is fetched once from npm into .cache/).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# First python3.11, else python3 (checked to be >= 3.11 below). Override: make PYTHON=...
ifndef PYTHON
PYTHON := $(shell for p in python3.11 python3; do command -v $$p && break; done)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
RUN_ARGS ?=

.PHONY: help venv run test lint bench schemas redrive replay verify mutation clean distclean

help:
	@echo "make run      Kafka, SecantusDB and all services with demo data (Ctrl-C stops)"
	@echo "make test     all tests (PYTEST_ARGS='-m integration' etc. passed to pytest)"
	@echo "make lint     ruff check, ruff format --check, mypy --strict, import layers"
	@echo "make bench    matching's assignment, raw Kafka, the yardstick and the whole pipeline"
	@echo "make schemas  export the event schemas and AsyncAPI document"
	@echo "make redrive SERVICE=triage [DRY_RUN=1]  dead letters back to their topic, after a fix"
	@echo "make replay [REPLAY_ARGS=--restart]  rebuild every read model from the audit archive, compare"
	@echo "make verify [CHECKPOINTS=file PUBLIC_KEY=base64]  the archive against signed checkpoints"
	@echo "make mutation [MUTANTS='schakel.platform.*'] [MUTATION_ARGS=--survivors]  mutation score"
	@echo "make clean    caches and .run/ data; distclean also .venv and .cache"

venv: $(STAMP)

# Reinstalled only when pyproject.toml changes.
$(STAMP): pyproject.toml dev/pyproject.toml
	@test -n "$(PYTHON)" || { echo "no python3.11 or python3 found; set PYTHON=..." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "$(PYTHON) is older than 3.11; set PYTHON=..." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) \
	  || { echo "creating $(VENV) failed (on Debian/Ubuntu: apt install python3-venv)" >&2; \
	       rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./dev
	@touch $(STAMP)

run: venv
	$(BIN)/python -m schakel_dev.run $(RUN_ARGS)

# pytest's own exit code is kept: 5 (no tests collected) fails the target too.
test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy --strict services dev/schakel_dev tests
	$(BIN)/lint-imports --no-logo --no-cache

# REPLAY_EVENTS: size of the seeded history the replay part replays (default 5000; 0: none).
bench: venv
	$(BIN)/python -m schakel_dev.bench $(if $(REPLAY_EVENTS),--replay-events $(REPLAY_EVENTS))

schemas: venv
	$(BIN)/python -m schakel.contracts.export

# Uses the SCHAKEL_* environment like the service itself (defaults: the `make run` servers).
redrive: venv
	@test -n "$(SERVICE)" || { echo "usage: make redrive SERVICE=<service> [DRY_RUN=1]" >&2; exit 2; }
	$(BIN)/python -m schakel.platform.redrive $(SERVICE) $(if $(DRY_RUN),--dry-run)

# Mutates the platform, the contracts and the domains; runs the fast tests against each mutant
# (long: about an hour on two cores). The report: .mutation/report.md.
MUTATION_CHILDREN ?= 2
mutation: venv
	$(BIN)/python -m schakel_dev.mutation --max-children $(MUTATION_CHILDREN) $(MUTATION_ARGS) $(MUTANTS)

# Uses the SCHAKEL_* environment like the services (defaults: the `make run` servers, and as
# there followup's demonstration deadline policy unless SCHAKEL_DEADLINE_POLICY says otherwise).
replay: venv
	SCHAKEL_DEADLINE_POLICY=$${SCHAKEL_DEADLINE_POLICY:-2026.12-1-demo} \
	  $(BIN)/python -m schakel.audit replay $(REPLAY_ARGS)

# Without CHECKPOINTS: the checkpoints the audit stored, checked with its configured key
# (as `make run`, in development mode unless SCHAKEL_ENV says otherwise).
verify: venv
	SCHAKEL_ENV=$${SCHAKEL_ENV:-development} $(BIN)/python -m schakel.audit verify $(if $(CHECKPOINTS),--checkpoints $(CHECKPOINTS)) \
	  $(if $(PUBLIC_KEY),--public-key $(PUBLIC_KEY))

clean:
	rm -rf .run .artefacts .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d \
	  -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .cache .bench .mutation
