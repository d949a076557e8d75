# netbox_zabbix.sync: developer entry points. `make demo` and `make test` are the two
# commands a new user runs (see README.md); everything else is a building block.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(CURDIR)
VENV        := $(ROOT)/.venv
STACK_DIR   ?= $(ROOT)/.stack
export STACK_DIR
COLL_ROOT   := $(ROOT)/.cache/collections
COLL_LINK   := $(COLL_ROOT)/ansible_collections/netbox_zabbix/sync
ZABBIX_VERSIONS ?= 6.0 7.0
export ZABBIX_VERSIONS
PY          := $(VENV)/bin/python
ACTIVATE    := export PATH="$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLL_ROOT)"

.PHONY: help venv collection stack-up stack-down stack-reset demo demo-down test test-unit test-sanity test-integration bench

help:
	@echo "make demo        bring up local NetBox + Zabbix with sample data and sync it"
	@echo "make demo-down   stop everything make demo started"
	@echo "make test        unit, sanity and integration tests (starts and stops the services)"
	@echo "make bench       benchmark against community.zabbix and netbox-zabbix-sync"

$(VENV)/.installed: requirements-dev.txt constraints-dev.txt stack/find-python.sh
	@PY=$$(stack/find-python.sh); echo "Creating $(VENV) with $$PY"; \
	  "$$PY" -m venv "$(VENV)"; \
	  "$(VENV)/bin/pip" install -q --disable-pip-version-check --upgrade pip; \
	  "$(VENV)/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt -c constraints-dev.txt
	@touch $@

venv: $(VENV)/.installed collection

# ansible-playbook and ansible-inventory find the collection through this link;
# ansible-test needs a real copy instead (see tests/sanity/run.sh).
collection:
	@mkdir -p $(dir $(COLL_LINK)); ln -sfn $(ROOT) $(COLL_LINK)

stack-up: venv
	stack/stack.sh up

stack-down:
	stack/stack.sh down

stack-reset: venv
	stack/stack.sh reset

demo: venv
	stack/demo.sh

demo-down:
	stack/stack.sh down

test: venv
	tests/run-all.sh

test-unit: venv
	$(ACTIVATE); python -m pytest -q tests/unit

test-sanity: venv
	tests/sanity/run.sh

test-integration: venv
	tests/integration/run.sh

bench: venv
	bench/run.sh
