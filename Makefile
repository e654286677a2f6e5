# The two commands a person needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run serve test bench bench-load lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# A local .env (never committed) holds DEBUG=1 and a generated SECRET_KEY.
# Without it, settings refuse to start without a real SECRET_KEY.
.env: | $(PY)
	$(PY) -c "import secrets; print('DEBUG=1'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@

install: $(VENV)/.installed .env

install-dev: $(VENV)/.installed-dev .env

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles
	$(PY) manage.py load_demo
	$(PY) manage.py demo_admin
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-like, on the embedded default: gunicorn, DEBUG off, plain HTTP on 127.0.0.1.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v0
	DEBUG=0 BLOGSITE_PLAIN_HTTP=1 ALLOWED_HOSTS=127.0.0.1,localhost \
	  GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn blogsite.wsgi

test: install-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

# Not part of the tests: needs wrk (apt-get install wrk); appends to bench/RESULTS.md.
bench: install-dev
	$(PY) bench/pages.py

# Not part of the tests: readers and a writer at once; appends to bench/RESULTS-load.md.
bench-load: install-dev
	$(PY) bench/load_writes.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
