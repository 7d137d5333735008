# Two commands do all set-up on a fresh machine:
#   make site   - create the virtualenv, install, build the site from content/ into site/
#   make test   - also install the test tools (and Debian's chromium), run the whole test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: site test install install-test browser clean

site: install
	$(BIN)/policykb build

test: install-test browser
	$(BIN)/pytest -n 2 --dist loadgroup

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

browser:
	scripts/install-browser

clean:
	rm -rf build site site.previous
