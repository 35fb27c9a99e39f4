# Vantage — build and test. `make test` installs what the tests need on a
# fresh Debian machine (when run as root) and runs every test.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
# Debian packages the tests use: real peers and tools we did not write.
TEST_DEBS := iproute2 fping openssh-server dropbear-bin openssl procps snmpd snmp snmpsim snmptrapd chromium firefox-esr postgresql clickhouse-server clickhouse-client softflowd nfdump fprobe chrony freeradius dnsmasq-base tftpd-hpa netcat-openbsd slapd ldap-utils
FUZZTIME ?= 20s

.PHONY: all build test test-deps test-ui-deps vet fuzz bench clean

all: build

build:
	$(GO) build -tags gosnmp_nodebug -ldflags "$(LDFLAGS)" -o bin/vantage ./cmd/vantage

test-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "warning: missing Debian packages:$$missing (run as root to install); tests that need them will skip"; \
		fi; \
	fi

# The browser test drives Debian's chromium with playwright-core from npm.
# Firefox is driven by puppeteer-core over WebDriver BiDi, inside a network
# namespace with no route out (cmd/vantage/firefox_test.go).
test-ui-deps:
	@for d in tests/ui tests/firefox; do \
		if [ ! -d $$d/node_modules ]; then \
			if command -v npm >/dev/null 2>&1; then (cd $$d && npm ci --no-audit --no-fund); \
			else echo "warning: npm not found; the browser tests will skip"; fi; \
		fi; \
	done

test: test-deps test-ui-deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 14m ./...
	@echo "browser test screenshots: $${SCREENSHOT_DIR:-$${TMPDIR:-/tmp}/vantage-ui-screenshots} (Chromium), $${TMPDIR:-/tmp}/vantage-firefox-screenshots (Firefox)"

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

# Short coverage-guided runs of every fuzz target.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

bench:
	bash bench/ping/run.sh
	bash bench/serve/run.sh
	bash bench/snmp/run.sh
	bash bench/traps/run.sh
	bash bench/charts/run.sh

clean:
	rm -rf bin
