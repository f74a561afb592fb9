# The two commands a newcomer needs are `make run` and `make test`; both install what they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: deps run test bench lint central clean

deps: $(STAMP)
	@./scripts/system-deps

$(STAMP): pyproject.toml
	@./scripts/system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# Until the visitor UI lands, `make run` starts central on 127.0.0.1 with the demo catalogue
# published; see README.md.
run: deps
	$(PY) -m central.devserver

test: deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: deps
	@./scripts/system-deps wrk
	$(PY) -m bench $(BENCH_ARGS)

lint: deps
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
