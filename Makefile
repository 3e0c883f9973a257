# Community: `make run` serves the demo site, `make serve` serves it as production does, `make test` runs the suite. Only python3 >= 3.11 and make needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run serve test test-postgres bench bench-scale bench-import bench-search lock clean

# The web server and the mail worker together; without MAIL_SERVER each email is written to
# instance/mail/<id>.eml. Links in emails start with SITE_URL (here the development server's).
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving on http://$(HOST):$(PORT)/ (emails: instance/mail/*.eml unless MAIL_SERVER is set)"
	export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(FLASK) mail-worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The site as production serves it: gunicorn (gunicorn.conf.py: workers from the CPUs, WORKERS=n to
# choose), on the same database and settings as `make run`, without the demo content. It refuses
# to start, saying why, when a production setting is missing (SECRET_KEY with an https SITE_URL, ...).
WORKERS ?=
serve: $(VENV)/.installed
	$(FLASK) db upgrade
	@echo "Serving on http://$(HOST):$(PORT)/ with gunicorn"
	$(if $(WORKERS),WEB_CONCURRENCY=$(WORKERS)) exec $(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

test: $(VENV)/.installed-dev node_modules/.installed
	@command -v $${CHROMIUM:-chromium} >/dev/null 2>&1 || echo "NOTE: Chromium is not installed, so the browser tests will be skipped (apt-get install chromium)."
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL (as CI runs it).
test-postgres: $(VENV)/.installed-dev node_modules/.installed
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Community needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.python-ok pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

# Benchmarks, never part of `make test`: DATABASE=postgres for PostgreSQL + Redis (and the
# two-server check). Results go to bench/results/; the SQLite run also updates README.md.
DATABASE ?= sqlite
bench: $(VENV)/.installed-dev wrk-installed
	$(BIN)/python bench/run.py --database $(DATABASE)
	$(BIN)/python bench/spam_score.py --database $(DATABASE)
	$(BIN)/python bench/import_wordpress.py --database $(DATABASE) $(IMPORT_ARGS)
	$(BIN)/python bench/notifications.py --database $(DATABASE)
	$(BIN)/python bench/viral.py --database $(DATABASE)
	$(BIN)/python bench/search.py --database $(DATABASE)

# The WordPress import alone: 200 posts and 20,000 comments (about 20 MB) by default; the issue's
# 200 MB file (2,000 posts, 200,000 comments) with IMPORT_ARGS="--size 200MB", in `make bench` too.
bench-import: $(VENV)/.installed
	$(BIN)/python bench/import_wordpress.py --database $(DATABASE) $(IMPORT_ARGS)

# Search alone: /search over 1,000,000 comments (COMMENTS=n for another size).
bench-search: $(VENV)/.installed
	$(BIN)/python bench/search.py --database $(DATABASE) $(if $(COMMENTS),--comments $(COMMENTS))

bench-scale: $(VENV)/.installed wrk-installed
	$(BIN)/python bench/run.py --scale --database sqlite
	$(BIN)/python bench/run.py --scale --database postgres

.PHONY: wrk-installed
wrk-installed:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "The benchmark needs wrk: apt-get install wrk"; exit 1; }

# axe-core for the accessibility checks of the browser tests; without npm they are skipped.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "NOTE: npm is not installed, so the accessibility checks will be skipped."; fi

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock: $(VENV)/.python-ok
	$(BIN)/pip install --quiet --upgrade -e '.[dev]'
	( echo '# Exact versions for reproducible installs, used as pip constraints: `make lock` refreshes it.'; \
	  $(BIN)/pip freeze --exclude-editable | sort -f ) > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache node_modules tests/artifacts
