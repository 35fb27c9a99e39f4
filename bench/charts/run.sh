#!/usr/bin/env bash
# The embedded chart store: ingest rate with roll-ups current, and chart
# query latency with a year of data for 10,000 datasets (targets: at least
# 50,000 samples/s; each chart under 50 ms). No network traffic.
#
#   bench/charts/run.sh [DATASETS]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
go run ./bench/charts -datasets "${1:-10000}"
