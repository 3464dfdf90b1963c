# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEBIAN_PACKAGES := fonts-noto-cjk fonts-ocr-b chromium gettext
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest system-packages install models clean benchmark

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The engine's 8-bit recogniser (onboarding/ocr/engine/quantize.py), made once from RapidOCR's
# bundled model on drawn specimens (fonts needed); a no-op while it is current.
models: $(STAMP) system-packages
	@$(PY) -m onboarding.ocr.engine.quantize

install: $(STAMP)

system-packages:
	@bash scripts/ensure-system-packages.sh $(DEBIAN_PACKAGES)

run: install system-packages models
	@mkdir -p var
	DJANGO_ENV=dev $(PY) manage.py migrate --noinput
	DJANGO_ENV=dev $(PY) manage.py ensure_demo_reviewer --sign-in-url http://$(HOST):$(PORT)/review/
	DJANGO_ENV=dev $(PY) manage.py seed_demo_cases
	DJANGO_ENV=dev $(PY) manage.py runserver --noreload $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_ENV=test $(PY) manage.py makemigrations --check --dry-run

typecheck: install
	DJANGO_ENV=test $(VENV)/bin/mypy onboarding

pytest: install system-packages models
	DJANGO_ENV=test $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

benchmark: install system-packages models
	DJANGO_ENV=dev $(PY) manage.py ocr_benchmark --count 100 --seed 1

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
