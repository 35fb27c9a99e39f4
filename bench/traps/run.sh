#!/usr/bin/env bash
# SNMPv2c trap bursts to loopback at fixed rates: Vantage's internal/trap
# receiver beside Debian's net-snmp snmptrapd, in the same run, one after
# the other at each rate, with the same sender and the same traps.
#
#   bench/traps/run.sh               rates 20000 40000 50000 traps/s, 2 s each
#   RATES="50000" SECS=4 RUNS=3 bench/traps/run.sh
#
# The sender (trapbench send) replays 1,000 pre-marshalled linkDown traps
# (~110 bytes, 3 varbinds) from one socket, paced in 1 ms batches
# (sendmmsg). Vantage runs as the server would (trapbench receive): default
# config, built-in MIB names, every trap dispatched to one device and
# written to an event.log on disk. snmptrapd runs with -f -Lf FILE -C -c
# CONF (disableAuthorization yes, one "TRAP" line per trap). Traps are
# counted in the log files (and, for Vantage, dispatched) against traps
# sent. CPU is the receiver's user+system time from the start of the burst
# to 1 s after it (/proc/PID/stat); memory is its peak RSS (VmHWM).
# Every burst is bounded: RATE*SECS traps, at most 10 million.
set -euo pipefail

rates=${RATES:-"20000 40000 50000"}
secs=${SECS:-2}
runs=${RUNS:-1}
port=${PORT:-11162}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v snmptrapd >/dev/null; then
	echo "installing snmptrapd" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y snmptrapd >/dev/null
fi
(cd "$repo" && go build -o "$tmp/trapbench" ./bench/traps)
bench=$tmp/trapbench

# wait_for CMD...: retry CMD for up to 20 s.
wait_for() {
	for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "timed out waiting for: $*" >&2
	return 1
}

# bound PORT: something listens on UDP 127.0.0.1:PORT.
bound() { ss -Huln "sport = :$1" | grep -q .; }

# field KEY LINE: the value of KEY=value in LINE.
field() { grep -o "\(^\| \)$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }

rows=$tmp/rows
: >"$rows"
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), snmptrapd $(snmptrapd --version 2>&1 | grep -m1 -o '[0-9][0-9.]*$')"
for ((r = 1; r <= runs; r++)); do
	for rate in $rates; do
		n=$((rate * secs))

		if bound "$port"; then echo "UDP port $port is taken: set PORT" >&2; exit 1; fi
		d=$tmp/snmptrapd-$rate-$r
		mkdir -p "$d"
		printf 'disableAuthorization yes\nformat2 TRAP %%v\\n\n' >"$d/snmptrapd.conf"
		SNMPCONFPATH=$d SNMP_PERSISTENT_DIR=$d snmptrapd -f -Lf "$d/traps.log" -C -c "$d/snmptrapd.conf" \
			-n "udp:127.0.0.1:$port" >"$d/stderr" 2>&1 &
		pid=$!
		pids+=("$pid")
		wait_for grep -q "NET-SNMP version" "$d/traps.log" || { cat "$d/stderr" >&2; exit 1; }
		wait_for bound "$port" || { cat "$d/stderr" >&2; exit 1; }
		s=$("$bench" send -to "127.0.0.1:$port" -rate "$rate" -n "$n" -pid "$pid")
		kill -TERM "$pid"
		wait "$pid" || true
		logged=$("$bench" count "$d/traps.log" "TRAP " | cut -d= -f2)
		echo "snmptrapd $rate $(field sent "$s") $(field achieved_rate "$s") $logged - $(field receiver_cpu "$s") $(field seconds "$s") $(field receiver_hwm_mb "$s") $(cut -d' ' -f1 /proc/loadavg)" >>"$rows"

		d=$tmp/vantage-$rate-$r
		mkdir -p "$d"
		"$bench" receive -listen "127.0.0.1:$port" -dir "$d" >"$d/stdout" 2>"$d/stderr" &
		pid=$!
		pids+=("$pid")
		wait_for grep -q "receiving on" "$d/stderr" || { cat "$d/stderr" >&2; exit 1; }
		wait_for bound "$port" || { cat "$d/stderr" >&2; exit 1; }
		s=$("$bench" send -to "127.0.0.1:$port" -rate "$rate" -n "$n" -pid "$pid")
		kill -TERM "$pid"
		wait "$pid"
		v=$(cat "$d/stdout")
		echo "vantage $rate $(field sent "$s") $(field achieved_rate "$s") $(field logged "$v") $(field delivered "$v") $(field receiver_cpu "$s") $(field seconds "$s") $(field hwm_mb "$v") $(cut -d' ' -f1 /proc/loadavg)" >>"$rows"
		if [ "$(field logged "$v")" != "$n" ] || [ "$(field delivered "$v")" != "$n" ]; then
			echo "vantage lost traps at $rate/s: $v" >&2
		fi
		sed -n '2,$p' "$d/stderr" | head -5 >&2
	done
done

echo
printf '%-10s %7s %9s %9s %9s %10s %7s %7s %10s %9s %6s\n' receiver rate/s sent sent/s logged dispatched loss_% cpu_s cpu_%core peak_MiB load1
awk '{
	kept = $5; if ($6 != "-" && $6 < kept) kept = $6
	printf "%-10s %7d %9d %9.0f %9d %10s %7.2f %7.2f %10.0f %9.1f %6s\n", $1, $2, $3, $4, $5, $6, 100 * ($3 - kept) / $3, $7, 100 * $7 / ($8 + 1), $9, $10
}' "$rows" | sort -s -k2,2n
echo "(loss: traps sent but not logged, or not dispatched; cpu: receiver user+system seconds over the burst"
echo " and 1 s after, cpu_%core divides by that time; load1: the machine's 1-minute load after the run)"
if ((runs > 1)); then
	echo
	echo "median over $runs runs:"
	awk '{ kept = $5; if ($6 != "-" && $6 < kept) kept = $6; print $1, $2, 100 * ($3 - kept) / $3, $7, $9 }' "$rows" |
		sort -k1,1 -k2,2n -k3,3g | awk '
		{ k = $1 " " $2; n[k]++; loss[k, n[k]] = $3; cpu[k, n[k]] = $4; mem[k, n[k]] = $5; if (!(k in seen)) { seen[k]; order[++m] = k } }
		END { for (i = 1; i <= m; i++) { k = order[i]; j = int((n[k] + 1) / 2)
			split(k, f, " "); printf "%-10s %7d  loss %6.2f %%  cpu %5.2f s  peak %6.1f MiB\n", f[1], f[2], loss[k, j], cpu[k, j], mem[k, j] } }' | sort -s -k2,2n
fi
awk '$1 == "vantage" && $2 == 50000 { n++; if ($5 != $3 || $6 != $3) bad++ }
	END { if (n) printf "target: Vantage no loss at 50,000 traps/s: %s (%d of %d runs lossless)\n", (bad ? "MISSED" : "met"), n - bad, n }' "$rows"
