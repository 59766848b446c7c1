# Salescope — the two commands: `make demo` (run the product) and `make test` (pass the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export SALESCOPE_VAR_DIR ?= $(CURDIR)/var

CATALOGS_STAMP := $(VENV)/.catalogs
PO_FILES := $(shell find salescope locale -name '*.po' -path '*/LC_MESSAGES/*')

.PHONY: setup catalogs demo serve test test-postgres test-browser lint format messages clean

setup: $(VENV)/.installed node_modules/.installed $(CATALOGS_STAMP)

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Compiled only when a catalogue changed, so that two `make test` runs started side by side (CI
# runs SQLite and PostgreSQL together) never rewrite the .mo files under each other.
$(CATALOGS_STAMP): $(VENV)/.installed $(PO_FILES)
	@$(BIN)/salescope compile_catalogs >/dev/null
	@touch $@

catalogs:
	@$(BIN)/salescope compile_catalogs >/dev/null
	@touch $(CATALOGS_STAMP)

# Sets up, migrates the embedded SQLite database under var/, loads the demo company (idempotent)
# and serves it with gunicorn on http://127.0.0.1:$(PORT), with a background worker
# (`salescope worker`: imports, the daily 预警 check).
demo: setup
	$(BIN)/salescope migrate --no-input -v0
	$(BIN)/salescope demo
	@echo ""
	@echo "  Salescope is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo ""
	$(BIN)/salescope worker -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  PORT=$(PORT) $(BIN)/salescope serve

serve: setup
	PORT=$(PORT) $(BIN)/salescope serve

# The whole suite on SQLite (or on the database DATABASE_URL names).
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(MAKE) test

# Only the browser tests (Playwright driving Debian's chromium: apt-get install -y chromium).
test-browser:
	$(MAKE) test PYTEST_ARGS="-m browser"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/salescope makemigrations --check --dry-run -v0
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the catalogues from the code (developers; needs GNU gettext's xgettext). Strings of an
# app with its own locale/ go to that app's catalogue, the rest to locale/. zh-Hant is then
# regenerated from zh-Hans with OpenCC; fill every new zh-Hans msgstr before committing.
messages: $(VENV)/.installed
	$(BIN)/salescope makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete \
	  --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'var/*'
	$(BIN)/salescope sync_hant
	$(BIN)/salescope compile_catalogs

clean:
	rm -rf $(VENV) node_modules
