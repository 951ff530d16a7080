# The README's two commands: `make site` and `make test`. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content
SITE_DIR ?= site

.PHONY: site serve test validate schema bench lint clean i18n linkcheck

# Reinstall when the declared or pinned dependencies change.
$(VENV)/.site-installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.site-installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

## site: build the site from the shipped content into site/
site: $(VENV)/.site-installed
	$(BIN)/cluster-kb build --content $(CONTENT) --site-dir $(SITE_DIR)

## serve: preview on http://127.0.0.1:8000/cluster-kb/, reloading when content/ changes
# --dirty rebuilds only the pages whose view changed (the plugin tracks them), so an edited record
# shows within a couple of seconds even with thousands of records. The path is site_url's.
serve: $(VENV)/.site-installed
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

## validate: check every record under content/
validate: $(VENV)/.site-installed
	$(BIN)/cluster-kb validate $(CONTENT)

## schema: regenerate the JSON Schemas in schemas/ after changing generator/models.py
schema: $(VENV)/.site-installed
	$(BIN)/cluster-kb schema --out schemas

## test: the whole test suite (pytest exits non-zero when it collects no test)
# The suite starts about fifty Python processes (real CLI runs and builds, two pytest workers).
# Where the environment sets PYTHONDONTWRITEBYTECODE (this workplace's machines do), each of them
# would compile the project and rewrite the tests' asserts again (about a tenth of the time of the
# tests that start processes).
# So the test run keeps bytecode, in the venv that make created and never beside the sources.
PYCACHE := $(CURDIR)/$(VENV)/pycache
test: $(VENV)/.test-installed
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(PYCACHE) $(BIN)/python -m pytest -n auto

## bench: speed, memory and size figures at 100, 1,000 and 10,000 clusters (about an hour)
bench: $(VENV)/.test-installed
	$(BIN)/python bench/bench.py

## i18n: extract the site's own words, update the Spanish and Catalan catalogues, compile them
# The build reads the .po files directly; the compiled .mo files are for gettext tools and stay
# untracked. `make test` fails while a message lacks its translation.
LOCALE := generator/cluster_kb/site/locale
i18n: $(VENV)/.site-installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d $(LOCALE) -D messages --statistics

## linkcheck: check the external links of docs/ and of every record (needs the network)
linkcheck: $(VENV)/.site-installed
	$(BIN)/cluster-kb linkcheck --content $(CONTENT) --docs docs

lint: $(VENV)/.test-installed
	$(BIN)/ruff check generator tests bench

clean:
	rm -rf $(SITE_DIR) .pytest_cache .ruff_cache bench/results.json $(LOCALE)/*/LC_MESSAGES/*.mo $(LOCALE)/messages.pot
