# 救助通 Jiuzhu — the Makefile is the door. `make help` lists the targets.
GO              ?= go
STATICCHECK_VER := v0.8.2
TOOLS           := $(CURDIR)/.tools
TEST_FLAGS      ?= -race -count=1 -timeout 45m
FUZZTIME        ?= 10s
# Stamped into the binary (`jiuzhu version`, the jiuzhu_build_info metric).
VERSION         ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT          ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILD_TIME      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS         := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildTime=$(BUILD_TIME)
# `make bench`: flags for cmd/jiuzhu-bench (e.g. BENCH_FLAGS=-quick), and the Go benchmarks the
# driver does not run itself (it runs BenchmarkPublication50k and BenchmarkPaymentRoll50k).
BENCH_FLAGS     ?=
BENCH_GO_OTHERS := ^(BenchmarkConcurrentUploads|BenchmarkS3BlobsPutMemory)$$
# package:target pairs `make fuzz` runs, each for FUZZTIME.
FUZZ_TARGETS    := ./model:FuzzParseIDNumber ./model:FuzzParseVoucherCode ./service:FuzzSniffContentType \
                   ./api:FuzzBindJSON ./api:FuzzUploadDocument

.PHONY: help run build test lint bench fuzz web apidocs clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

run: ## build the web assets (when npm is there) and serve on the embedded default
	@if [ -f web/package.json ] && command -v npm >/dev/null 2>&1; then \
		$(MAKE) web || echo "web build failed; serving the committed web/dist"; fi
	JIUZHU_DATA_DIR="$${JIUZHU_DATA_DIR:-$$HOME/.local/share/jiuzhu}" $(GO) run ./cmd/jiuzhu serve

build: ## build bin/jiuzhu (version, commit and build time stamped; `bin/jiuzhu version`)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/jiuzhu ./cmd/jiuzhu

test: ## every test (real MariaDB/Redis/S3 when JIUZHU_TEST_* are set; .ci/run sets them)
	$(GO) vet ./...
	$(GO) test $(TEST_FLAGS) ./...

lint: ## go vet + staticcheck (pinned, installed into .tools/)
	$(GO) vet ./...
	@test -x $(TOOLS)/staticcheck || GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VER)
	$(TOOLS)/staticcheck ./...

bench: ## load driver on private MariaDB/Redis/S3 + Lighthouse on the portal (writes docs/BENCHMARKS.md), then the other Go benchmarks
	@if command -v npm >/dev/null 2>&1; then cd web && npm ci --no-audit --no-fund >/dev/null; else echo "no npm: the Lighthouse lines will say so"; fi
	$(GO) run ./cmd/jiuzhu-bench $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench '$(BENCH_GO_OTHERS)' -benchmem -benchtime 1x ./api/ ./storage/

fuzz: ## every fuzz target for FUZZTIME each (ID check, voucher codes, sniffer, JSON binder, uploads)
	@set -e; for pt in $(FUZZ_TARGETS); do \
		echo "fuzz $${pt#*:} ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$${pt#*:}$$" -fuzztime $(FUZZTIME) "$${pt%%:*}"; \
	done

web: ## build the H5 portal into web/dist
	@if [ -f web/package.json ]; then cd web && npm ci && npm run build; else echo "web/: no package.json yet; serving the placeholder"; fi

apidocs: ## copy Redoc's standalone bundle (pinned in web/package.json) into api/apidocs for /api/docs
	cd web && npm ci
	cp web/node_modules/redoc/bundles/redoc.standalone.js web/node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt api/apidocs/

clean: ## remove build output
	rm -rf bin
