# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test check install install-test clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The test extra (pytest, Playwright) and the dev extra (ruff, mypy, import-linter).
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

PORT ?= 5000

run: install
	@# exec: the server takes the shell's place, so a SIGTERM that make passes on reaches it
	exec env CAREERS_ENV=development CAREERS_LOAD_DEMO_JOBS=true $(BIN)/flask serve --host 127.0.0.1 --port $(PORT)

# Chromium, PostgreSQL and Redis are installed first when missing and this user may (root on
# Debian/Ubuntu); otherwise the tests needing them are left out with one line saying how to
# install them. One worker per core; the browser tests share one worker (see tests/conftest.py).
test: install-test
	sh tests/setup_system.sh
	$(BIN)/python -m pytest -n auto --dist loadgroup

# The linters CI runs before the tests; import-linter once its contracts are configured.
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	if grep -q '^\[tool\.importlinter\]' pyproject.toml; then $(BIN)/lint-imports; fi

# After changing a user-facing string: extract it into the template catalog, merge it into the
# de/fr/es catalogs (new strings come out empty or "fuzzy" until translated), and compile them
# where the app reads them (it also builds them when it starts). See docs/i18n.md.
CATALOGS := app/translations
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output \
		--project careers-intake -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --ignore-obsolete
	for lang in de fr es; do mkdir -p instance/translations/$$lang/LC_MESSAGES && \
		$(BIN)/pybabel compile --statistics -l $$lang -i $(CATALOGS)/$$lang/LC_MESSAGES/messages.po \
		-o instance/translations/$$lang/LC_MESSAGES/messages.mo || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
