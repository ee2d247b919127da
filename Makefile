# leadsquared-go: every command the README and CI use. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
SPECTRAL := tools/spectral/node_modules/.bin/spectral
BENCHCOUNT ?= 6
BENCHTIME ?= 600ms
TPUTCOUNT ?= 3
MIXEDTIME ?= 3m
FUZZTIME ?= 10000x
FLAKERUNS ?= 10

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

.PHONY: deps
deps: $(SPECTRAL) ## Download Go modules; install Spectral (npm ci in tools/spectral) and redis-server (apt, for the Redis tests) if missing.
	command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)
	$(GO) mod download
	cd tools/speccheck && $(GO) mod download

$(SPECTRAL): tools/spectral/package.json tools/spectral/package-lock.json
	cd tools/spectral && npm ci --no-audit --no-fund --loglevel=error
	@touch $(SPECTRAL)

.PHONY: generate
generate: ## Regenerate pkg/api from spec/openapi.yaml.
	$(GO) generate ./...

.PHONY: apply-overlay
apply-overlay: ## Apply the OpenAPI Overlay OVERLAY (e.g. from `lsq spec drift`) to spec/openapi.yaml, then regenerate.
	@test -n "$(OVERLAY)" || { echo "usage: make apply-overlay OVERLAY=drift.overlay.yaml" >&2; exit 2; }
	$(GO) run ./gen -apply-overlay "$(OVERLAY)"

.PHONY: check-generated
check-generated: generate ## Fail if the generated code or any file differs from what is committed.
	@git diff --exit-code || { echo "generated code is stale or files changed: run 'make generate' and commit" >&2; exit 1; }
	@test -z "$$(git status --porcelain)" || { git status --porcelain >&2; echo "untracked or uncommitted files after generate" >&2; exit 1; }

.PHONY: tidy
tidy: ## Tidy go.mod and go.sum.
	$(GO) mod tidy

GOLANGCI_LINT ?= $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

.PHONY: lint
lint: $(SPECTRAL) ## Lint the spec (Spectral) and the Go code (go vet, golangci-lint per .golangci.yml).
	$(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity=warn spec/openapi.yaml
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

.PHONY: test
test: deps check-generated ## The full check CI runs: generate + drift check, tidy check, vet, Spectral, golangci-lint, tests with -race, then fuzz.
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity=warn spec/openapi.yaml
	$(GOLANGCI_LINT) run ./...
	@$(MAKE) --no-print-directory speccheck
	@$(MAKE) --no-print-directory check-new-operation
	@$(MAKE) --no-print-directory spec-diff BASE=HEAD~1 || echo "spec-diff failed (informational)"
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run '^Test(Export|Import)Memory$$' -v ./cmd/lsq | grep -E 'peak RSS|^(ok|FAIL|---)'  # memory figures: not under -race
	@$(MAKE) --no-print-directory fuzz

# oasdiff is pinned here, not in go.mod: every oasdiff release that builds against the kin-openapi the library
# uses (v0.135.0, the newest whose go.mod says go <= 1.24) is older than v1.11.8, and those do not compile
# against it; every newer release says go >= 1.25, which would raise this module's go line for every importer.
OASDIFF ?= $(GO) run github.com/oasdiff/oasdiff@v1.37.0

.PHONY: speccheck
speccheck: ## The spec in a second OpenAPI toolchain (libopenapi, its own module in tools/speccheck): loads, and every docs sample validates.
	cd tools/speccheck && $(GO) test -count=1 ./...

.PHONY: spec-diff
spec-diff: ## What changed in spec/openapi.yaml since BASE (a git ref, default HEAD~1), breaking changes first.
	@base="$${BASE:-HEAD~1}"; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if ! git show "$$base:spec/openapi.yaml" > "$$tmp/base.yaml" 2>/dev/null; then \
		echo "spec-diff: no spec/openapi.yaml at $$base; nothing to compare"; exit 0; fi; \
	echo "== spec changes since $$base (error = breaks callers) =="; \
	$(OASDIFF) changelog "$$tmp/base.yaml" spec/openapi.yaml

.PHONY: test-long
test-long: ## The reliability tests at length (-long: more calls, a 50 MB reply), with -race.
	$(GO) test -race -count=1 -run '^TestReliability' ./pkg/leadsquared -long

FUZZPKGS ?= ./pkg/leadsquared ./pkg/validate ./pkg/scalar

.PHONY: fuzz
fuzz: ## Run every fuzz target of FUZZPKGS for FUZZTIME each (default 10000x: a count of inputs, not a time, so a busy machine takes longer instead of failing), from the committed corpora.
	@for pkg in $(FUZZPKGS); do \
		for target in $$($(GO) test -list='^Fuzz' "$$pkg" | grep '^Fuzz'); do \
			echo "== fuzz $$pkg $$target ($(FUZZTIME))"; \
			out=$$($(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) "$$pkg" 2>&1) || { echo "$$out"; exit 1; }; \
			echo "$$out" | tail -1; \
		done; \
	done

.PHONY: check-new-operation
check-new-operation: ## In a temporary copy, add an operation to the spec and go generate: go build ./... must fail, only in lsqtest (the fake must serve it).
	GO=$(GO) .ci/new-operation-check

.PHONY: flake-check
flake-check: ## Run make test's test step FLAKERUNS times (default 10) on a fresh clone of HEAD under CPU load; print passes and failing tests.
	RUNS=$(FLAKERUNS) GO=$(GO) .ci/flake-check

.PHONY: bench
bench: ## Benchmarks (overhead vs net/http, validation, rate-limit throughput, generation) as one benchstat table, kept in bench/README.md.
	GO=$(GO) BENCHCOUNT=$(BENCHCOUNT) BENCHTIME=$(BENCHTIME) TPUTCOUNT=$(TPUTCOUNT) MIXEDTIME=$(MIXEDTIME) bench/run.sh
