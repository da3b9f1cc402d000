# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-sqlite test-postgres test-fast lint clean postgres i18n
LANGUAGES := en ar uk ti tr pl bg so fa
BABEL_KEYWORDS := -k _ -k N_ -k ngettext:1,2

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# With TELEGRAM_BOT_TOKEN set: the Telegram bot. Without: the console chat on the SQLite file.
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/lobbot run; else exec $(BIN)/lobbot chat; fi

# Every test on the embedded SQLite database, then every test that touches the database again
# on a real PostgreSQL server (the pure flows/ and catalog tests need no second run).
DB_TESTS := tests/bot tests/storage tests/locales/test_isk.py
test: $(STAMP) postgres
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	LOBBOT_TEST_DATABASE=postgresql $(BIN)/python -m pytest $(DB_TESTS)

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest

test-postgres: $(STAMP) postgres
	LOBBOT_TEST_DATABASE=postgresql $(BIN)/python -m pytest $(DB_TESTS)

# The tests start their own throwaway PostgreSQL server; this only makes sure it is installed.
postgres:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  echo "installing PostgreSQL for the tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# While iterating: everything but the slow end-to-end, crash and fuzz tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# Translations: extract the Dutch source strings, update every catalog, compile.
# The .po files are the source in git; lobbot also compiles them at start-up when needed.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F locales/babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
	  --add-comments=Translators: --project=lobbot --copyright-holder="lobbot developers" \
	  --omit-header -o locales/lobbot.pot . 2>/dev/null
	for lang in $(LANGUAGES); do \
	  if [ -f locales/$$lang/LC_MESSAGES/lobbot.po ]; then \
	    $(BIN)/pybabel update -i locales/lobbot.pot -d locales -D lobbot -l $$lang --no-fuzzy-matching --ignore-obsolete 2>/dev/null; \
	  else \
	    $(BIN)/pybabel init -i locales/lobbot.pot -d locales -D lobbot -l $$lang 2>/dev/null; \
	  fi; \
	done
	$(BIN)/pybabel compile -d locales -D lobbot --statistics 2>&1 | grep -v "^$$" || true
