# The two commands of the README. Each installs what it needs first.
SHELL := /bin/bash
VENV  := .venv/bin
DEMO  := demo-out
export SOHOA_HOME ?= $(CURDIR)/sohoa-data

.PHONY: setup demo test test-fast services services-env workers clean

setup:
	@scripts/bootstrap.sh

# The demo signs PAdES B-LTA with the local test PKI (root, intermediate, signer,
# TSA, OCSP, CRLs; declared in corpus/data/test-pki.yml, made and served by
# corpus/pki.py) on 127.0.0.1 for the run and stopped at the end. Unless
# SOHOA_HOME is set, it starts from a fresh data directory under $(DEMO), so
# every document is signed anew.
DEMO_HOME := $(if $(filter environment command,$(firstword $(origin SOHOA_HOME))),$(SOHOA_HOME),$(CURDIR)/$(DEMO)/sohoa-data)

demo: setup
	@rm -rf $(DEMO)
	@export SOHOA_HOME=$(DEMO_HOME); \
	  $(VENV)/sohoa pki init --port $${SOHOA_PKI_PORT:-9771} && $(VENV)/sohoa pki serve --background || exit 1; \
	  trap '$(VENV)/sohoa pki stop >/dev/null' EXIT; \
	  set -a; eval "$$($(VENV)/sohoa pki env --level B-LTA)"; set +a; \
	  set -e; \
	  $(VENV)/sohoa sample $(DEMO) --docs 20 --seed 7; \
	  $(VENV)/sohoa registry import $(DEMO)/registry.jsonl; \
	  $(VENV)/sohoa process $(DEMO)/batch --report $(DEMO)/report.json; \
	  id=$$($(VENV)/python -c "import json;d=[x for x in json.load(open('$(DEMO)/report.json'))['documents'] if x.get('object')];print(d[0]['document_id'])"); \
	  $(VENV)/sohoa fetch $$id -o $(DEMO)/$$id.pdf; \
	  $(VENV)/sohoa verify $(DEMO)/$$id.pdf; \
	  echo "--- poppler pdfsig (it trusts no test root and cannot check document timestamps):"; \
	  pdfsig $(DEMO)/$$id.pdf | grep -E "Signature #|Field Name|Signature Type|Signature Validation|Certificate Validation"; \
	  $(VENV)/sohoa retention renew-timestamps --dry-run; \
	  echo "--- the test TSA rolls over (new key, new certificate, same URL); renewal for real:"; \
	  $(VENV)/python -m sohoa.corpus.pki rollover "$$SOHOA_HOME/pki" || true; \
	  $(VENV)/sohoa retention renew-timestamps; \
	  $(VENV)/sohoa fetch $$id -o $(DEMO)/$$id.renewed.pdf; \
	  $(VENV)/sohoa verify $(DEMO)/$$id.renewed.pdf | grep -E "^(VALID|NOT VALID)|^timestamp|^embedded"

# The static gates first (ruff, mypy: scripts/check.sh), then every test. The tests
# make their own PostgreSQL cluster (tests/pgcluster.py) from the installed programs;
# SOHOA_TEST_PG_URL names another server instead. The slowest tests are listed at the end
# (the suite's budget is 30 minutes on 2 cores). Two pytest-xdist workers, a test file each
# at a time (--dist loadfile: a module's processed batch is made once): much of the suite
# waits on subprocesses, servers and browsers, so two share the 2 cores well. Each worker has
# its own PostgreSQL cluster; the Ceph gateway and RabbitMQ are shared under file locks.
test: setup
	scripts/check.sh
	@scripts/services.sh postgresql-bin redis rabbitmq
	$(VENV)/python -m pytest -q -n 2 --dist loadfile --durations=25

test-fast: setup
	@scripts/services.sh postgresql-bin redis rabbitmq
	$(VENV)/python -m pytest -q -m "not slow"

# Production-like stack on this machine: PostgreSQL (role and database `sohoa`,
# generated password in $SOHOA_HOME/postgresql.env), Redis, RabbitMQ and an S3
# server with object lock (Ceph RGW), then N workers. `make services-env`
# prints the environment to use (eval it), README "Production" explains.
services: setup
	@scripts/services.sh postgresql redis rabbitmq
	@scripts/s3-test-server.sh start >/dev/null
	@echo "services up; environment: eval \"\$$(make -s services-env)\""

services-env:
	@scripts/s3-test-server.sh env
	@grep '^SOHOA_DB_URL=' "$$SOHOA_HOME/postgresql.env"  # role sohoa, password made by scripts/services.sh
	@echo SOHOA_BROKER_URL=redis://127.0.0.1:6379/0

workers: setup
	@scripts/workers.sh start $${N:-2}

clean:
	rm -rf $(DEMO) sohoa-data .pytest_cache
