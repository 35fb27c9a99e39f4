#!/usr/bin/env bash
# Ingest beside nfcapd: one synthetic NetFlow v5 stream (30 records per
# datagram) sent at each rate to Vantage's flow collector (the harness in
# bench/flows/collector: the Collector with a counting sink) and to nfdump's
# nfcapd at once — every datagram goes to both — then received/sent for
# each. Everything stays on 127.0.0.1; each run is bounded in time.
#
#   bench/flows/run.sh                       rates 100k 300k 600k 1M 1.5M records/s, 5 s each
#   RATES="1500000 3000000" DURATION=5 bench/flows/run.sh
#   STORE=1 bench/flows/run.sh               also build sessions and store them (embedded DuckDB)
#   FLOWS=100000 STORE=1 bench/flows/run.sh  records cycle through 100,000 flows (default: all distinct)
#
# Needs nfdump (Debian: apt-get install nfdump).
set -euo pipefail

rates=${RATES:-"100000 300000 600000 1000000 1500000"}
duration=${DURATION:-5}
port1=${PORT1:-39901}
port2=${PORT2:-39902}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v nfcapd >/dev/null || { echo "nfcapd not found (apt-get install nfdump)" >&2; exit 1; }
(cd "$repo" && go build -o "$tmp/sender" ./bench/flows/sender && go build -o "$tmp/collector" ./bench/flows/collector)

printf '%-10s %10s %12s %8s %12s %8s %s\n' rate/s sent vantage ratio nfcapd ratio "vantage socket drops"
for rate in $rates; do
	dir="$tmp/nf-$rate"
	mkdir -p "$dir"
	store=()
	if [ -n "${STORE:-}" ]; then store=(-store "$tmp/store-$rate"); fi
	"$tmp/collector" -listen "127.0.0.1:$port1" -duration "$((duration + 30))s" "${store[@]}" >"$tmp/collector.out" 2>"$tmp/collector.err" &
	cpid=$!
	pids+=("$cpid")
	nfcapd -b 127.0.0.1 -p "$port2" -w "$dir" -t 3600 -B 33554432 >"$tmp/nfcapd.out" 2>&1 &
	npid=$!
	pids+=("$npid")
	for _ in $(seq 50); do grep -q ready "$tmp/collector.out" && break; sleep 0.1; done
	sleep 0.5
	sent=$("$tmp/sender" -to "127.0.0.1:$port1,127.0.0.1:$port2" -rate "$rate" -duration "${duration}s" -flows "${FLOWS:-0}" | sed -n 's/.*records=\([0-9]*\).*/\1/p')
	sleep 2 # let both drain their socket buffers (the harness drains again on TERM)
	kill -TERM "$cpid"; wait "$cpid" || true
	kill -TERM "$npid"; wait "$npid" || true
	ours=$(sed -n 's/^received records=\([0-9]*\).*/\1/p' "$tmp/collector.out")
	drops=$(sed -n 's/.*"socket_drops":\([0-9]*\).*/\1/p' "$tmp/collector.out")
	theirs=$(nfdump -R "$dir" -I 2>/dev/null | sed -n 's/^Flows: *\([0-9]*\).*/\1/p' | head -1)
	theirs=${theirs:-0}
	printf '%-10s %10s %12s %8s %12s %8s %s\n' "$rate" "$sent" "$ours" \
		"$(awk -v a="$ours" -v b="$sent" 'BEGIN{printf "%.4f", a/b}')" "$theirs" \
		"$(awk -v a="$theirs" -v b="$sent" 'BEGIN{printf "%.4f", a/b}')" "${drops:-?}"
	grep -i "read_buffer" "$tmp/collector.err" | head -1 >&2 || true
	grep "^sessions stored" "$tmp/collector.out" >&2 || true
done
