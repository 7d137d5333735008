# Two commands do all set-up on a fresh machine:
#   make site   - create the virtualenv, install, build the site from content/ into site/
#   make test   - also install the test tools (and Debian's chromium), run the whole test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: site test install install-test browser node-tools clean

site: install
	$(BIN)/policykb build

test: install-test browser node-tools
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

# axe-core for the accessibility tests, pinned in package-lock.json (npm from Debian when missing)
node-tools: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null 2>&1 || { s=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  DEBIAN_FRONTEND=noninteractive $$s apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

clean:
	rm -rf build site site.previous
