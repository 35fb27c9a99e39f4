#!/usr/bin/env bash
# SNMP interface-table polling of N agents: Vantage's internal/snmp client
# against Debian's prometheus-snmp-exporter (0.21), in the same run, over
# the same agents and the same OIDs (system group + 22 ifTable/ifXTable
# columns). The agents are our own lean responder (snmpbench agents), one
# UDP socket per agent on 127.3.x.y:161, rotating through the recordings
# in ../shared/testdata/snmprec that have an ifTable (read in place).
#
#   bench/snmp/run.sh [N]     N defaults to 500; RUNS=3 alternating runs
#
# Each round runs, one after the other: ours with the default client
# config (256 sessions), ours with 64 sessions (as many sockets as the
# exporter's 64 concurrent scrapes), and the exporter. Medians are taken
# per figure. Ours measures its CPU with getrusage(self) around the
# cycle; the exporter's and the farm's come from /proc/PID/stat. Set
# PROFILE=FILE for a CPU profile of ours (default config) in the last round.
# Needs root for apt-get and port 161; traffic stays on loopback.
set -euo pipefail

n=${1:-500}
runs=${RUNS:-3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
rec=${SNMPREC:-$repo/../shared/testdata/snmprec}
listen=127.0.0.1:19116
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v prometheus-snmp-exporter >/dev/null; then
	echo "installing prometheus-snmp-exporter" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus-snmp-exporter >/dev/null
fi
(cd "$repo" && go build -o "$tmp/snmpbench" ./bench/snmp)
bench=$tmp/snmpbench

# wait_for CMD...: retry CMD for up to 10 s.
wait_for() {
	for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "timed out waiting for: $*" >&2
	return 1
}

"$bench" agents -n "$n" -rec "$rec" >"$tmp/farm.log" 2>&1 &
farm=$!
pids+=("$farm")
wait_for grep -q '^agents ready' "$tmp/farm.log" || { cat "$tmp/farm.log" >&2; exit 1; }

"$bench" exporter-config >"$tmp/snmp.yml"
if curl -s -o /dev/null "http://$listen/"; then
	echo "$listen is taken: stop whatever listens there" >&2
	exit 1
fi
prometheus-snmp-exporter --config.file="$tmp/snmp.yml" --web.listen-address="$listen" \
	--log.level=warn >"$tmp/exporter.log" 2>&1 &
exporter=$!
pids+=("$exporter")
wait_for curl -sf -o /dev/null "http://$listen/metrics" || { cat "$tmp/exporter.log" >&2; exit 1; }

echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), $(prometheus-snmp-exporter --version 2>&1 | head -1 | cut -d' ' -f1-3)"
sed -n 's/^agents ready /farm: /p' "$tmp/farm.log"
for ((i = 1; i <= runs; i++)); do
	kill -0 "$farm" || { echo "the agent farm died:" >&2; cat "$tmp/farm.log" >&2; exit 1; }
	prof=()
	[ -n "${PROFILE:-}" ] && [ "$i" = "$runs" ] && prof=(-cpuprofile "$PROFILE")
	"$bench" poll -n "$n" -farm-pid "$farm" "${prof[@]}" | tee -a "$tmp/ours.runs"
	"$bench" poll -n "$n" -farm-pid "$farm" -sessions 64 | tee -a "$tmp/ours64.runs"
	"$bench" scrape -n "$n" -pid "$exporter" -farm-pid "$farm" -concurrency 64 | tee -a "$tmp/exporter.runs"
done
kill -TERM "$farm"
wait "$farm" || true
sed -n 's/^agents done /farm total: /p' "$tmp/farm.log"

# med KEY FILE: the median of KEY=value over the lines of FILE.
med() {
	grep -o " $1=[^ ]*" "$2" | cut -d= -f2 | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo
printf 'median of %d alternating runs, %d agents\n' "$runs" "$n"
printf '%-26s %8s %8s %8s %12s %8s %9s %8s %9s %9s\n' "" oids wall_s cpu_s oids/cpu_s requests sockets inflight rss_MiB farm_cpu_s
for f in ours ours64 exporter; do
	case $f in
	ours) label="vantage (256 sessions)" sock=$(med sessions_peak "$tmp/$f.runs") fl=$(med inflight_peak "$tmp/$f.runs") rq=$(med requests "$tmp/$f.runs") ;;
	ours64) label="vantage (64 sessions)" sock=$(med sessions_peak "$tmp/$f.runs") fl=$(med inflight_peak "$tmp/$f.runs") rq=$(med requests "$tmp/$f.runs") ;;
	exporter) label="snmp_exporter (64 scrapes)" sock="$(med fds_peak "$tmp/$f.runs")fd" fl=64 rq=$(med requests "$tmp/$f.runs") ;;
	esac
	printf '%-26s %8s %8s %8s %12s %8s %9s %8s %9s %9s\n' "$label" "$(med oids "$tmp/$f.runs")" "$(med wall "$tmp/$f.runs")" \
		"$(med cpu "$tmp/$f.runs")" "$(med oids_per_cpu_s "$tmp/$f.runs")" "$rq" "$sock" "$fl" "$(med rss_mb "$tmp/$f.runs")" "$(med farm_cpu "$tmp/$f.runs")"
done
echo "(sockets: ours = peak pool sessions, each one UDP socket; exporter = peak open fds, 64 SNMP + HTTP + its own)"
ours=$(med oids_per_cpu_s "$tmp/ours.runs")
ours64=$(med oids_per_cpu_s "$tmp/ours64.runs")
exp=$(med oids_per_cpu_s "$tmp/exporter.runs")
wall=$(med wall "$tmp/ours.runs")
sock=$(med sessions_peak "$tmp/ours.runs")
maxs=$(med sessions_max "$tmp/ours.runs")
failed=$(cat "$tmp"/*.runs | grep -o ' failed=[^ ]*' | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
awk -v o="$ours" -v o64="$ours64" -v e="$exp" -v w="$wall" -v s="$sock" -v m="$maxs" -v n="$n" -v f="$failed" 'BEGIN {
	r = o / e
	printf "OIDs per CPU-second, ours/exporter: %.2fx (64 sessions: %.2fx)  target >= 2x: %s\n", r, o64 / e, (r >= 2 ? "met" : "MISSED")
	printf "our cycle wall time for %d agents: %.2f s  target < 10 s: %s\n", n, w, (w < 10 ? "met" : "MISSED")
	printf "our sockets: peak %d, bounded by %d concurrent requests  target: %s\n", s, m, (s <= m ? "met" : "MISSED")
	printf "failed agents over all runs: %d\n", f
}'
