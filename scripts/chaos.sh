#!/usr/bin/env bash
# Faults under load: the product (AppHost, Release, no dashboard) against a YouTube stand-in, a steady mixed load
# (24 connections: 80 % stored channels, 20 % new ones), and in turn: Redis killed, the Worker killed mid-batch,
# PostgreSQL paused for 20 s, YouTube slow. Prints per phase: requests, 2xx, 5xx, p99, recovery time; then every video
# the stand-in served against what PostgreSQL holds (lost and duplicated must be 0).
#   make chaos                     (PHASE_SECONDS=15 CONNECTIONS=24)
# Everything targets 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASE_SECONDS="${PHASE_SECONDS:-15}"
CONNECTIONS="${CONNECTIONS:-24}"
YOUTUBE="http://127.0.0.1:5198"
source scripts/apphost.sh
source scripts/progress.sh

dotnet build -c Release benchmarks/VideoAspire.Baseline -v quiet -nologo >/dev/null
echo '{}' >"$work/empty.json"
dotnet benchmarks/VideoAspire.Baseline/bin/Release/net10.0/VideoAspire.Baseline.dll --body "$work/empty.json" \
  --youtube true --urls "$YOUTUBE" >"$work/youtube.log" 2>&1 &
pids+=($!)
# One load generator is one caller: lift the per-caller cold-lookup allowance and the daily quota for this run.
YouTube__ApiKey=chaos start_apphost "YouTube:ApiBaseUrl=$YOUTUBE" "YouTube:FeedBaseUrl=$YOUTUBE" \
  "RateLimiting:ColdLookupsPerMinute=1000000" "YouTube:DailyQuotaUnits=100000000"

api_port=$(ss -Hltnp | awk '/"VideoAspire.Api"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
redis_port=$(ss -Hltnp | awk '/"redis-server"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
db_port=$(ss -Hltnp | awk '/"postgres"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
API="http://127.0.0.1:$api_port"
psql() { command psql -h 127.0.0.1 -p "$db_port" -U postgres -qAt videosdb "$@"; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v n="$(now)" 'BEGIN {printf "%.1f", n - s}'; }
until_true() { # timeout command... -> seconds it took (or "never")
  local started; started=$(now)
  while ! "${@:2}" >/dev/null 2>&1; do
    (( $(awk -v s="$started" -v n="$(now)" -v t="$1" 'BEGIN {print (n - s > t)}') )) && { echo never; return; }
    sleep 0.2
  done
  since "$started"
}
redis_up() { [[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" PING)" == PONG ]]; }
api_healthy() { [[ "$(curl -s -m 2 "$API/health")" == Healthy ]]; }
worker_pid() { pgrep -f 'VideoAspire.Worker/bin/Release' | head -1; }
worker_healthy() { local port; port=$(ss -Hltnp | awk '/"VideoAspire.Wor"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}');
  [[ -n "$port" && "$(curl -s -m 2 "http://127.0.0.1:$port/health")" == Healthy ]]; }

rows=()
phase() { # number name fault-command-run-in-background
  local out
  PHASE=$1 wrk -t1 -c"$CONNECTIONS" -d"${PHASE_SECONDS}s" -s benchmarks/chaos-mix.lua "$API/" >"$work/wrk-$1.txt" &
  local wrk_pid=$!
  local recovery="-"
  [[ -n "${3:-}" ]] && recovery=$(with_progress "$2" "$PHASE_SECONDS" $3)
  with_progress "$2" "$PHASE_SECONDS" wait "$wrk_pid"
  out=$(awk '/^CHAOS/ {print $2, $3, $4, $5, $6, $7}' "$work/wrk-$1.txt")
  rows+=("$2|$out|$recovery")
  echo "  $2: done" >&2
}

kill_redis() { sleep 3; kill -9 "$(pgrep -f "redis-server.*:$redis_port")"; until_true 60 redis_up; }
kill_worker() { sleep 3; kill -9 "$(worker_pid)"; sleep 1; until_true 90 worker_healthy; }
pause_postgres() {
  sleep 2
  local postmaster; postmaster=$(ss -Hltnp | awk -v port=":$db_port" '$4 ~ port"$" {match($0, /pid=[0-9]+/); print substr($0, RSTART + 4, RLENGTH - 4); exit}')
  local all="$postmaster $(cat "/proc/$postmaster/task/$postmaster/children")"
  kill -STOP $all; sleep 20; kill -CONT $all
  until_true 60 api_healthy
}
slow_youtube() { curl -s -X POST "$YOUTUBE/admin/slow?ms=1500" >/dev/null; sleep $(( PHASE_SECONDS - 1 )); curl -s -X POST "$YOUTUBE/admin/slow?ms=0" >/dev/null; echo "-"; }

echo "Load: wrk -t1 -c$CONNECTIONS, ${PHASE_SECONDS} s per phase (the PostgreSQL pause lasts 20 s within it)..."
phase 1 "steady"
phase 2 "Redis killed (kill -9)" kill_redis
phase 3 "Worker killed mid-batch (kill -9)" kill_worker
PHASE_SECONDS=$(( PHASE_SECONDS > 25 ? PHASE_SECONDS : 25 )) phase 4 "PostgreSQL paused 20 s (SIGSTOP)" pause_postgres
phase 5 "YouTube slow (1.5 s per call)" slow_youtube
phase 6 "after"

echo "Waiting for the hand-off to drain..."
until_true 120 test "$(redis-cli -h 127.0.0.1 -p "$redis_port" XLEN videos:handoff)" -eq 0 >/dev/null
curl -s "$YOUTUBE/admin/served" >"$work/served.txt"
served=$(grep -c '^UCchaos' "$work/served.txt" || true)
psql -c "CREATE TEMP TABLE served (id text)" -c "\\copy served FROM '$work/served.txt'" \
  -c "SELECT count(*) FILTER (WHERE n = 5), count(*) FILTER (WHERE n IS NULL OR n < 5), count(*) FILTER (WHERE n > 5)
      FROM served s LEFT JOIN (SELECT channel_id, count(*) n FROM videos GROUP BY channel_id) v ON v.channel_id = s.id" >"$work/account.txt"
IFS='|' read -r complete missing extra <"$work/account.txt"
dead=$(redis-cli -h 127.0.0.1 -p "$redis_port" XLEN "{videos:handoff}:dead")

echo
printf '%-36s %9s %9s %6s %6s %8s %9s  %s\n' phase requests 2xx 5xx 500 other "p99 ms" "recovery s"
for row in "${rows[@]}"; do
  IFS='|' read -r name result recovery <<<"$row"
  read -r requests ok failed internal other p99 <<<"$result"
  printf '%-36s %9s %9s %6s %6s %8s %9s  %s\n' "$name" "$requests" "$ok" "$failed" "$internal" "$other" "$p99" "$recovery"
done
echo
echo "channels fetched from YouTube: $served; persisted with all 5 videos: $complete; lost or incomplete: $missing;"
echo "more than 5 videos (duplicated): $extra; dead-lettered hand-off entries: $dead"
echo "(5xx: 503 with Retry-After, a degradation the caller is told to retry; 500: an unexpected fault;"
echo " other: 202 while a fetch finishes, 404, 429)"
