#!/usr/bin/env bash
# Side-by-side ping sweep: fping -c1 -i0 against Vantage's ICMP engine on the
# same N loopback addresses (127.1.0.1 upward), alternating runs so that
# other load on the machine hits both alike. Prints the median wall and CPU
# (user+sys, measured from outside the process for both) and the ratios.
#
# Ours runs twice: with a pool of 1000 concurrent pingers, the way the
# poller calls the engine, and with one goroutine per host (every echo in
# flight at once, as fping -i0 does), which adds Go's own cost of 10,000
# goroutines (about as much CPU as fping's whole run, see the report).
#
#   bench/ping/run.sh [N]        N defaults to 10000; RUNS=7 sets the runs
#
# Needs root (raw sockets for fping and for us) or ping sockets allowed.
# Traffic stays on the loopback interface.
set -euo pipefail

n=${1:-10000}
runs=${RUNS:-7}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v fping >/dev/null; then
	echo "installing fping" >&2
	apt-get install -y fping >/dev/null
fi

(cd "$repo" && go build -o "$tmp/sweep" ./bench/ping)
"$tmp/sweep" -n "$n" -list "$tmp/hosts.txt"

TIMEFORMAT='%R %U %S'

# one_fping prints "wall cpu loss%" for one fping run.
one_fping() {
	local t
	{ t=$( { time fping -c1 -i0 -q -f "$tmp/hosts.txt" 2>"$tmp/fping.out" || true; } 2>&1 ); } 
	awk -v t="$t" '
		/xmt\/rcv/ { split($5, a, "/"); x += a[1]; r += a[2] }
		END { split(t, s, " "); printf "%.3f %.3f %.2f\n", s[1], s[2] + s[3], x ? (x - r) * 100 / x : 100 }
	' "$tmp/fping.out"
}

# one_ours prints "wall cpu loss%" for one run of the Go sweep with WORKERS.
one_ours() {
	local t
	{ t=$( { time "$tmp/sweep" -n "$n" -workers "$1" >"$tmp/ours.out"; } 2>&1 ); }
	awk -v t="$t" '
		{ for (i = 1; i <= NF; i++) if ($i ~ /^loss=/) { sub(/^loss=/, "", $i); sub(/%$/, "", $i); l = $i } }
		END { split(t, s, " "); printf "%.3f %.3f %.2f\n", s[1], s[2] + s[3], l }
	' "$tmp/ours.out"
}

for ((i = 0; i < runs; i++)); do
	one_fping >>"$tmp/fping.runs"
	one_ours 1000 >>"$tmp/pool.runs"
	one_ours 0 >>"$tmp/each.runs"
done
echo "last run of ours: $(cat "$tmp/ours.out")"

# median COLUMN FILE
median() { cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# worst loss over the runs
maxloss() { cut -d' ' -f3 "$1" | sort -n | tail -1; }

fw=$(median 1 "$tmp/fping.runs"); fc=$(median 2 "$tmp/fping.runs")
printf '%d hosts, median of %d alternating runs (wall s, cpu s = user+sys, worst loss)\n' "$n" "$runs"
printf '  fping -c1 -i0                    : wall %s  cpu %s  loss %s%%\n' "$fw" "$fc" "$(maxloss "$tmp/fping.runs")"
for kind in pool each; do
	label="vantage, pool of 1000 pingers   "
	[ "$kind" = each ] && label="vantage, one goroutine per host "
	ow=$(median 1 "$tmp/$kind.runs"); oc=$(median 2 "$tmp/$kind.runs")
	printf '  %s: wall %s  cpu %s  loss %s%%' "$label" "$ow" "$oc" "$(maxloss "$tmp/$kind.runs")"
	awk -v fw="$fw" -v fc="$fc" -v ow="$ow" -v oc="$oc" \
		'BEGIN { printf "  (ours/fping: wall %.2fx, cpu %.2fx)\n", ow / fw, oc / fc }'
done
