# Japan data-centre energy and siting planner. `make help` lists the targets.
# Every target is a thin wrapper over `python -m planner ...` or pytest, run in
# .venv, which the first target you use creates and fills from pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

SCENARIO ?=
YEARS    ?=
SITES    ?=
CONFIG   ?=
NAMED    ?=
RUN_ARGS := $(if $(SCENARIO),--scenario $(SCENARIO)) $(if $(YEARS),--years $(YEARS)) \
            $(if $(SITES),--sites $(SITES)) $(if $(CONFIG),--config $(CONFIG)) $(if $(NAMED),--named $(NAMED))

.DEFAULT_GOAL := help
OFFLINE  ?=
A        ?= results/jst_optimistic
B        ?= results/jst_modest
MAP_ARGS := $(if $(OFFLINE),--offline)

SWEEP    ?= sweeps/carbon_price.yaml

PLAN     ?=
RAW      ?= ../shared/data/jp_power
FY       ?= 2024

.PHONY: help install data run robust alternatives sweep maps compare report report-compare evaluate commitments bench test clean

help: ## list the targets
	@echo "make run    [SCENARIO=jst_modest] [YEARS=2030,2040,2050] [SITES=file.csv] [CONFIG=file.yaml] [NAMED=high_carbon_price]"
	@echo "           solve the plan (default: the three JST scenarios), write results/<scenario>/ and its map"
	@echo "make robust [PROBABILITIES=jst_modest=0.5,criepi_occto=0.5] [CONFIG=...]  what to build by the first milestone"
	@echo "           over all demand scenarios (two-stage stochastic plan: VSS, EVPI, regret); writes results/robust/; resumable"
	@echo "make alternatives [SLACK=0.02] [COUNT=6] [SCENARIO=jst_modest]  near-optimal plans that differ in sites and"
	@echo "           cooling (MGA) on Dask; per-site share built, map; writes results/alternatives-<scenario>/; resumable"
	@echo "make sweep  SWEEP=sweeps/carbon_price.yaml  parameter sweep on Dask (DASK_SCHEDULER=tcp://host:port for a cluster); resumable"
	@echo "make maps   [OFFLINE=1]  redraw maps and charts of every run under results/ (OFFLINE=1: map_offline.html, no network needed)"
	@echo "make compare A=results/jst_optimistic B=results/jst_modest [OFFLINE=1]  map sites added, removed, resized"
	@echo "make report [RUNS=results/jst_modest]  write report.html in each run (all runs by default): headline, map,"
	@echo "           capacity, cooling, power, shortfalls, why each site, assumptions; English and Japanese; offline"
	@echo "make report-compare A=results/jst_optimistic B=results/jst_modest  the report of two runs side by side"
	@echo "make evaluate PLAN=my_plan.csv [SCENARIO=jst_modest] [CONFIG=...]  score a plan against the optimum (regret)"
	@echo "make commitments [SCENARIO=jst_modest] [YEARS=...] [CONFIG=...] [NAMED=...]  cost of the committed projects (plan with and without them)"
	@echo "make bench  [CASE=small|default|large|full_year|full_year_all_sites|representative_error]  benchmark sizes and timings"
	@echo "           (all cases and the representative-day error study by default), write bench/results.json"
	@echo "make data   [RAW=../shared/data/jp_power] [FY=2024]  derive the hourly reference year from the operators' raw files"
	@echo "make test   run the test suite"
	@echo "make install  create .venv and install the planner (done by the other targets on first use)"
	@echo "make clean  remove .venv, results/ and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	$(BIN)/python -m planner data tso $(RAW) --fiscal-year $(FY)

run: $(STAMP)
	$(BIN)/python -m planner run $(RUN_ARGS)

PROBABILITIES ?=
SLACK    ?= 0.02
COUNT    ?= 6

robust: $(STAMP)
	$(BIN)/python -m planner robust $(if $(PROBABILITIES),--probabilities $(PROBABILITIES)) $(if $(CONFIG),--config $(CONFIG)) \
		$(if $(NAMED),--named $(NAMED)) $(if $(YEARS),--years $(YEARS)) $(if $(SITES),--sites $(SITES))

alternatives: $(STAMP)
	$(BIN)/python -m planner alternatives --slack $(SLACK) --count $(COUNT) $(if $(SCENARIO),--scenario $(SCENARIO)) \
		$(if $(CONFIG),--config $(CONFIG)) $(if $(NAMED),--named $(NAMED)) $(if $(YEARS),--years $(YEARS)) $(if $(SITES),--sites $(SITES))

sweep: $(STAMP)
	$(BIN)/python -m planner sweep $(SWEEP)

maps: $(STAMP)
	$(BIN)/python -m planner maps $(MAP_ARGS)

compare: $(STAMP)
	$(BIN)/python -m planner compare $(A) $(B) $(MAP_ARGS)

RUNS     ?=
report: $(STAMP)
	$(BIN)/python -m planner report $(RUNS)

report-compare: $(STAMP)
	$(BIN)/python -m planner report-compare $(A) $(B)

evaluate: $(STAMP)
	$(BIN)/python -m planner evaluate $(PLAN) $(if $(SCENARIO),--scenario $(SCENARIO)) $(if $(YEARS),--years $(YEARS)) \
		$(if $(SITES),--sites $(SITES)) $(if $(CONFIG),--config $(CONFIG)) $(if $(NAMED),--named $(NAMED))

commitments: $(STAMP)
	$(BIN)/python -m planner commitments $(if $(SCENARIO),--scenario $(SCENARIO)) $(if $(YEARS),--years $(YEARS)) \
		$(if $(SITES),--sites $(SITES)) $(if $(CONFIG),--config $(CONFIG)) $(if $(NAMED),--named $(NAMED))

bench: $(STAMP)
	$(BIN)/python -m planner bench $(if $(CASE),--case $(CASE))

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
