# ChildSafe: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format lock messages bench bench-feeds bench-dnsfilter clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed: installing Debian's python3-venv"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/childsafe migrate --noinput
	$(BIN)/childsafe createcachetable
	$(BIN)/childsafe demo
	$(BIN)/childsafe serve --bind 127.0.0.1:8000

test: $(STAMP)
	./scripts/system-deps.sh
	$(BIN)/childsafe makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Intake benchmark (bench/intake.py): gunicorn on a scratch PostgreSQL database
# `childsafe_bench` at 127.0.0.1:5432, dropped and recreated. Prints figures; asserts none.
bench: $(STAMP)
	$(BIN)/python bench/intake.py $(BENCH_ARGS)

# Blocklist feeds benchmark (bench/feeds.py): the RPZ for 1M entries, the IXFR diff, and
# the time from the API to Unbound's NXDOMAIN via childsafe zoneserver (scratch database
# `childsafe_bench_feeds`; Knot DNS as the peer when `knotd` is installed).
bench-feeds: $(STAMP)
	./scripts/bench-deps.sh
	$(BIN)/python bench/feeds.py $(BENCH_ARGS)

# School filter benchmark (bench/dnsfilter.sh): childsafe dnsfilter with 1M blocked names
# against Unbound (same names as RPZ), dnsperf on loopback, one core each. Prints figures.
bench-dnsfilter: $(STAMP)
	./bench/dnsfilter.sh $(BENCH_ARGS)

# Regenerate the lock file from pyproject.toml (needs the registry).
lock: $(STAMP)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# Refresh the translation catalogues after changing strings (needs GNU gettext).
messages: $(STAMP)
	cd childsafe && ../$(BIN)/childsafe makemessages -l vi --no-obsolete --add-location file
	cd childsafe && ../$(BIN)/childsafe compilemessages -l vi

clean:
	rm -rf $(VENV) data
