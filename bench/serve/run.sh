#!/usr/bin/env bash
# Resident memory and CPU share of `vantage serve` monitoring N ping devices
# (127.1.0.1 upward, loopback only) at a 30 s interval.
#   bash bench/serve/run.sh [N] [SECONDS]
# Target (issue 2): under 250 MB resident for 10,000 devices.
set -euo pipefail
N=${1:-10000}
SECS=${2:-90}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vantage" "$root/cmd/vantage"
mkdir -p "$work/data/maps"
{
  echo "name: Bench"
  echo "devices:"
  for ((i = 1; i <= N; i++)); do
    printf '  - {name: d%d, address: 127.1.%d.%d, probe: ping, interval: 30s, x: 0, y: 0}\n' "$i" $((i / 256)) $((i % 256))
  done
} >"$work/data/maps/bench.yaml"
VANTAGE_ADMIN_PASSWORD=bench-password "$work/vantage" serve --data "$work/data" --starter-map=false --http 127.0.0.1:18080 \
  --remote off --traps off --netflow off --sflow off --jflow off >"$work/out" 2>"$work/err" &
pid=$!
sleep 5
ticks=$(getconf CLK_TCK)
cpu0=$(awk '{print $14+$15}' /proc/$pid/stat)
t0=$(date +%s.%N)
sleep "$SECS"
cpu1=$(awk '{print $14+$15}' /proc/$pid/stat)
t1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
info=$(curl -s -u admin:bench-password http://127.0.0.1:18080/api/v1/server)
echo "devices: $N, interval 30s, measured over ${SECS}s"
echo "server: $(echo "$info" | grep -o '"devices_monitored": [0-9]*') $(echo "$info" | grep -o '"polls_per_second": [0-9.]*')"
echo "status: $(echo "$info" | tr -d '\n ' | grep -o '"status":{[^}]*}')"
awk -v r="$rss" -v h="$hwm" -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" -v tk="$ticks" 'BEGIN {
  printf "resident memory: %.1f MB (peak %.1f MB); target < 250 MB\n", r/1024, h/1024;
  printf "CPU share: %.2f%% of one core\n", 100*(c1-c0)/tk/(t1-t0) }'
