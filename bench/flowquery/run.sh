#!/usr/bin/env bash
# Top-10 hosts by bytes over 12.6 M sessions: the flow store (DuckDB)
# against nfdump on the same flows, sent to nfcapd on 127.0.0.1 as
# NetFlow v5. Not part of `make test`. N=1000000 for a quick run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v nfdump >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nfdump >/dev/null
	else
		echo "nfdump is missing: apt-get install nfdump" >&2
		exit 1
	fi
fi
go build -o "${TMPDIR:-/tmp}/vantage-flowquery-bench" ./bench/flowquery
exec "${TMPDIR:-/tmp}/vantage-flowquery-bench" -n "${N:-12600000}" "$@"
