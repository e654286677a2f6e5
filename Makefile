# The two commands a person needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run serve cluster test bench bench-load lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# The test tools, and any dependency pyproject.toml gained, without installing the project
# itself again: a reinstall rewrites its files in site-packages, and a running `make run`
# restarts on that. The project is installed only into a venv that lacks it.
$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -c 'import subprocess, sys, tomllib; project = tomllib.load(open("pyproject.toml", "rb"))["project"]; sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", *project["dependencies"], *project["optional-dependencies"]["dev"]]))'
	$(PY) -m pip show --quiet blogsite >/dev/null 2>&1 || $(PY) -m pip install --quiet -e .
	touch $@

# A local .env (never committed) holds DEBUG=1 and a generated SECRET_KEY.
# Without it, settings refuse to start without a real SECRET_KEY.
.env: | $(PY)
	$(PY) -c "import secrets; print('DEBUG=1'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@

install: $(VENV)/.installed .env

install-dev: $(VENV)/.installed-dev .env

# The task worker (e-mail, Webmentions, statistics) runs beside the web server; Ctrl-C, or
# the server ending, stops both.
WITH_WORKER = $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM;

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles
	$(PY) manage.py load_demo
	$(PY) manage.py demo_admin --base-url http://$(HOST):$(PORT)
	$(WITH_WORKER) $(PY) manage.py runserver $(HOST):$(PORT)

# Production-like, on the embedded default: gunicorn, DEBUG off, plain HTTP on 127.0.0.1.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v0
	export DEBUG=0 BLOGSITE_PLAIN_HTTP=1 ALLOWED_HOSTS=127.0.0.1,localhost; \
	  $(WITH_WORKER) GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn blogsite.wsgi

# The deployment past one machine, rehearsed on this one (bench/cluster.py): nginx in front of
# two gunicorn servers sharing PostgreSQL, Redis and an S3 bucket (moto), and the task worker
# on its own. Needs PostgreSQL and Redis on 127.0.0.1, and nginx. Ctrl-C stops everything.
cluster: install-dev
	$(PY) bench/cluster.py

# The architecture's contracts (pyproject.toml) are checked before the tests: a broken one
# fails the build.
test: install-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# Not part of the tests: needs wrk (apt-get install wrk); appends to bench/RESULTS.md. Pages
# cached and uncached against a static file, then uncached pages at 1,000 and 100,000 entries.
bench: install-dev
	$(PY) bench/pages.py
	$(PY) bench/scale.py

# Not part of the tests: readers and a writer at once; appends to bench/RESULTS-load.md.
bench-load: install-dev
	$(PY) bench/load_writes.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
