# Two entry points for a fresh machine with python3, pip and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/clusterpath
STAMP := $(VENV)/.installed-stamp
EXAMPLE ?= port-chemicals
OUT ?= out
# Typical days for the demo's plan and its allocation, one resolution for both so that the split is computed on
# the plan's own model. One, not the default 12, until the speed work of issue 16: since the model review of
# issue 15 (vintages, flow classes of CO2 storage) the root LP at 4 typical days alone takes over 7 minutes here.
DAYS ?= 1
ALLOCATION_DAYS ?= $(DAYS)
# The initiative: this year's portfolio of clusters against last year's (illustrative data).
PORTFOLIO ?= initiative-2025
PREVIOUS ?= initiative-2024

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
	$(CLI) plan $(EXAMPLE) --typical-days $(DAYS) --json $(OUT)/$(EXAMPLE)/pathway.json --out $(OUT)/$(EXAMPLE)/pathway \
		--finance $(OUT)/$(EXAMPLE)/finance
	$(CLI) allocate $(EXAMPLE) --method dual --typical-days $(ALLOCATION_DAYS) --json-out $(OUT)/$(EXAMPLE)/allocation.json
	$(CLI) report $(EXAMPLE) --from $(OUT)/$(EXAMPLE) --out $(OUT)/$(EXAMPLE)/report
	$(CLI) portfolio $(PORTFOLIO) --previous $(PREVIOUS) --workers 2 --cache $(OUT)/.cache \
		--json-out $(OUT)/$(PORTFOLIO)/portfolio.json --csv $(OUT)/$(PORTFOLIO)
	$(CLI) report $(PORTFOLIO) --previous $(PREVIOUS) --cache $(OUT)/.cache --out $(OUT)/$(PORTFOLIO)/report
	@echo "Results are in $(OUT)/$(EXAMPLE)/: inventory.json and inventory/ (baseline), pathway.json and pathway/ (plan),"
	@echo "finance/ (finance.json: each project's NPV, levelized cost and funding gap; cash-flows/: yearly cash flows),"
	@echo "allocation.json (each member's share of the cluster's cost, by dual prices, against going alone)."
	@echo "The report of it all: $(OUT)/$(EXAMPLE)/report/report.html (opens offline), report.xlsx (every table), report.pdf."
	@echo "The initiative: $(OUT)/$(PORTFOLIO)/portfolio.json and CSV tables (totals by country and continent, each"
	@echo "cluster, changes since $(PREVIOUS)) and its report in $(OUT)/$(PORTFOLIO)/report/ (HTML, Excel, PDF)."

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
