#!/usr/bin/env bash
# Bounded load against a running instance (`make run` in another terminal): warm reads, many distinct channels,
# a few cold ones. Stops by itself after DURATION.   make stress-test [URL=http://127.0.0.1:5080] [DURATION=30s]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh
URL="${URL:-http://127.0.0.1:5080}"
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-64}"

case "$URL" in
  http://127.*|http://localhost*|http://\[::1\]*) ;;
  *) echo "Refusing to load-test $URL: loopback addresses only." >&2; exit 2 ;;
esac
[[ "$(curl -s --max-time 5 "$URL/health" || true)" == "Healthy" ]] || {
  echo "No healthy instance at $URL. Start one with 'make run' first." >&2; exit 1; }

echo "wrk -t2 -c$CONNECTIONS -d$DURATION against $URL (70% hot channels, 29% all demo channels, 1% cold)..."
with_progress load "$(seconds_of "$DURATION")" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s benchmarks/stress.lua "$URL"
