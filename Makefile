# Two entry points for a fresh machine with python3, pip and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/clusterpath
STAMP := $(VENV)/.installed-stamp
EXAMPLE ?= port-chemicals
OUT ?= out

.PHONY: demo test install clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(CLI) inventory $(EXAMPLE) --csv $(OUT)/$(EXAMPLE)/inventory --json-out $(OUT)/$(EXAMPLE)/inventory.json
	@echo "Results are in $(OUT)/$(EXAMPLE)/ (inventory.json and the CSV tables in inventory/)."

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
