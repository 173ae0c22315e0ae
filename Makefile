# Two entry points: `make demo` and `make test`. Both create .venv on first use and are idempotent.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo serve test test-floors lint typecheck unit browser postgres clean kb

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The stamp is rebuilt whenever pyproject.toml changes, so a new dependency is picked up.
# Byte-compile our sources once: an editable install is otherwise compiled on every start when
# PYTHONDONTWRITEBYTECODE is set, which costs a short scan a fifth of its time.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[cost,online,store,web]'
	$(BIN)/python -m compileall -q src/modeldeps >/dev/null
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src/modeldeps >/dev/null
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/modeldeps scan examples/demo-project --fail-on none
	@echo "The organization dashboard on the bundled examples: make serve"

# The dashboard on the bundled examples: scan them into a fresh store in .demo/, then serve it
# read-only on http://127.0.0.1:8765/ (Ctrl-C stops it).
DEMO_STORE := .demo/store.sqlite3
serve: $(VENV)/.installed
	rm -rf .demo && mkdir -p .demo
	$(BIN)/modeldeps scan-many examples/org examples/demo-project --store $(DEMO_STORE) --quiet
	$(BIN)/modeldeps serve --store $(DEMO_STORE) --usage examples/usage.toml

# The HTML report and dashboard tests drive Debian's Chromium. When it is missing this installs it with apt-get,
# saying so, as root or through sudo (README "Development"); without either it stops and says how.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then SUDO=; \
	    elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "error: the browser tests need Chromium: run 'apt-get install chromium' as root" >&2; exit 1; fi; \
	    echo "make browser: installing Debian's chromium package with $${SUDO:-root} apt-get (system-wide)"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The store tests run on a real PostgreSQL server: install Debian's when it is missing, saying so,
# as root or through sudo (README "Development"). The test run starts a throwaway cluster on
# 127.0.0.1 and stops it afterwards (tests/pg_cluster.py).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then SUDO=; \
	    elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "error: the store tests need PostgreSQL: run 'apt-get install postgresql' as root" >&2; exit 1; fi; \
	    echo "make postgres: installing Debian's postgresql package with $${SUDO:-root} apt-get (system-wide)"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# loadgroup: the Ray tests share one worker, so the run starts one local Ray, not two.
unit: $(VENV)/.installed-dev browser postgres
	$(BIN)/python tests/pg_cluster.py run -- $(BIN)/pytest -n 2 -q --dist loadgroup

test: lint typecheck unit

# The declared minimum versions, tested: a second virtualenv with every direct dependency at the
# floor pyproject.toml declares (uv's lowest-direct resolution, pinned by tools/floor_constraints.py),
# and the whole suite run there. .ci/run runs it after `make test`.
FLOORS := .venv-floors
test-floors: $(VENV)/.installed-dev browser postgres
	rm -rf $(FLOORS)
	$(BIN)/uv venv -q -p $(BIN)/python $(FLOORS)
	$(BIN)/python tools/floor_constraints.py dev cost online store postgres ray web test \
	  > $(FLOORS)/floors.txt
	VIRTUAL_ENV=$(FLOORS) $(BIN)/uv pip install -q --resolution lowest-direct \
	  -c $(FLOORS)/floors.txt -e '.[dev]'
	$(FLOORS)/bin/python tests/pg_cluster.py run -- \
	  $(FLOORS)/bin/python -m pytest -n 2 -q --dist loadgroup -p no:cacheprovider

# Refresh the generated knowledge-base files from the pinned sources (docs/kb.md). Run by a
# developer refreshing the KB, never at install or in `make test`. KB_INPUTS holds the fetched
# inputs (outside git); pass KB_CLONES="--clone-from URL=GIT_DIR" to reuse local clones.
KB_INPUTS ?= .kb-inputs
kb: $(VENV)/.installed
	$(BIN)/python tools/kb_inputs.py --dest $(KB_INPUTS) $(KB_CLONES)
	$(BIN)/python tools/build_kb.py --inputs $(KB_INPUTS)

clean:
	rm -rf $(VENV) $(FLOORS) .pytest_cache .mypy_cache .ruff_cache .demo
