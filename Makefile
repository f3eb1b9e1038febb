# The data services (coaching analytics and the systems beside it): build, test, lint, demo and
# package the Lambda functions.
#
# Everything beyond the Rust toolchain (moto, PostgreSQL, cfn-lint, SAM CLI, cargo-lambda, zig)
# comes from infra/requirements.txt into .venv, installed on first use and again when that file
# changes.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Prerequisites run one after another, in the order written: `test` stops at the first failing
# step, and two cargo commands never compete for the same target directory.
.NOTPARALLEL:
.DELETE_ON_ERROR:

PYTHON ?= python3
CARGO ?= cargo
VENV := .venv
VENV_BIN := $(CURDIR)/$(VENV)/bin
VENV_STAMP := $(VENV)/.requirements.stamp
REQUIREMENTS := infra/requirements.txt

# The venv's tools first (cargo-lambda, and python3 with the ziglang package, which
# cargo-lambda uses as its cross linker); SAM CLI without telemetry.
TOOL_ENV := PATH="$(VENV_BIN):$$PATH" SAM_CLI_TELEMETRY=0
# `sam validate` resolves pseudo parameters and wants a region even though it stays offline.
SAM := $(TOOL_ENV) AWS_DEFAULT_REGION="$${AWS_DEFAULT_REGION:-us-east-1}" $(VENV_BIN)/sam

LAMBDA_TARGET := aarch64-unknown-linux-gnu

.PHONY: help venv build test lint fmt-check clippy cargo-test template-lint demo sam-build \
	serve bench bench-reports bench-service clean distclean bench-ranker

help: ## List the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z_-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' \
		$(MAKEFILE_LIST)

venv: $(VENV_STAMP) ## Create .venv with the pinned Python tooling (only when requirements change)

$(VENV_STAMP): $(REQUIREMENTS)
	PYTHON=$(PYTHON) infra/scripts/make-venv.sh $(VENV) $(REQUIREMENTS)
	touch $@

build: ## cargo build of the whole workspace (debug; tests and the demo use target/debug)
	$(CARGO) build --workspace

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Tests get a throwaway PostgreSQL server (DATABASE_URL) and a moto server (AWS_ENDPOINT_URL).
cargo-test: venv
	infra/scripts/with-postgres.sh infra/scripts/with-moto.sh $(CARGO) test --workspace

template-lint: venv
	$(TOOL_ENV) $(VENV_BIN)/cfn-lint template.yaml
	$(SAM) validate --lint

test: venv fmt-check clippy build cargo-test template-lint ## Everything CI runs: fmt, clippy, build, tests (with PostgreSQL and moto), template lint

lint: venv fmt-check clippy template-lint ## fmt check, clippy -D warnings, cfn-lint, sam validate --lint

demo: venv ## Build (debug) and run the end-to-end demo against the simulator and moto; prints both wall times
	@started=$$(date +%s.%N); \
	$(CARGO) build --workspace; \
	built=$$(date +%s.%N); \
	infra/scripts/demo.sh; \
	finished=$$(date +%s.%N); \
	awk -v s="$$started" -v b="$$built" -v f="$$finished" 'BEGIN { \
		printf "\n== wall time (real): build %.1f s, demo pipeline %.1f s\n", b - s, f - b; \
		printf "   (a first build compiles every dependency and takes minutes; the product is the second figure)\n" }'

sam-build: venv ## sam build: cross-compile every function for Lambda (arm64) with cargo-lambda
	@rustup target list --installed | grep -qx '$(LAMBDA_TARGET)' \
		|| rustup target add $(LAMBDA_TARGET)
	$(SAM) build

serve: venv build ## Serve the reports on 127.0.0.1:9000 (cargo lambda watch) against the simulator; MEMBERS=2000
	infra/scripts/serve.sh

bench: venv ## Benchmarks: each job on a generated 20,000-member workspace (150 ms latency, Intercom's limit; BENCH_JOB_MEMBERS=20000,100000 for both sizes), then the reports (release build)
	$(CARGO) build --workspace --release
	infra/scripts/bench.sh

bench-service: venv ## Benchmark of service-sync (100,000 conversations, 150 ms latency, Intercom's rate limit) and the dashboard functions
	$(CARGO) build --workspace --release
	infra/scripts/with-postgres.sh $(VENV_BIN)/python infra/scripts/bench_service.py $(BENCH_SERVICE_ARGS)

bench-reports: venv ## Benchmarks of the reports only: 2,000 and 20,000 members, 150 ms latency (release build)
	$(CARGO) build --workspace --release
	$(VENV_BIN)/python infra/scripts/bench_reports.py $(BENCH_REPORTS_ARGS)

clean: ## Remove build outputs (cargo target, .aws-sam); keeps .venv
	$(CARGO) clean
	rm -rf .aws-sam

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)

bench-ranker: venv ## Benchmark of engagement-ranker: 250 and 2,500 customers, 150 ms latency, HubSpot's rate limits (release build)
	$(CARGO) build --workspace --release
	$(VENV_BIN)/python infra/scripts/bench_ranker.py $(BENCH_RANKER_ARGS)
# customer sync (CUSTOMER-SYNC.md)
.PHONY: bench-customer
bench-customer: venv ## Benchmark of customer-sync (20,000 contacts, 200,000 conversations, 150 ms latency, Intercom's rate limit; full and 6-hour incremental)
	$(CARGO) build --workspace --release
	infra/scripts/with-postgres.sh $(VENV_BIN)/python infra/scripts/bench_customer.py $(BENCH_CUSTOMER_ARGS)
