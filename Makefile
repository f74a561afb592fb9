# The two commands a newcomer needs are `make run` and `make test`; both install what they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: deps run run-central test bench lint central clean

deps: $(STAMP)
	@./scripts/system-deps

$(STAMP): pyproject.toml
	@./scripts/system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# The kiosk's visitor UI, full screen (on the bundled demo catalogue until provisioned). It needs
# the kiosk's display; without one, `kiosk screenshot` renders a screen into a PNG instead.
run: deps
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "make run: no display (DISPLAY is not set). Run it on the kiosk's screen, or render a screen with: $(VENV)/bin/kiosk screenshot home --out home.png" >&2; \
		exit 1; fi
	$(PY) main.py

# central on 127.0.0.1 with the demo catalogue published; see README.md.
run-central: deps
	$(PY) -m central.devserver

# On every core (pytest-xdist), a test module's tests together on one worker, so a module's
# central or kiosk is started once; the 30 slowest tests are listed at the end.
PYTEST_ARGS ?= -n auto --dist loadscope --durations=30

test: deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: deps
	@./scripts/system-deps wrk
	$(PY) -m bench $(BENCH_ARGS)

# Style (ruff), then the import rules: the layers and contracts in .importlinter, and no import
# cycle (docs/ARCHITECTURE.md).
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) scripts/check-import-cycles

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .import_linter_cache .grimp_cache
