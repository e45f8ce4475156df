#!/usr/bin/env bash
# The read path at real scale: CHANNELS channels x VIDEOS_PER_CHANNEL videos in PostgreSQL (the real migrations),
# the product started the way users run it (AppHost, Release, no dashboard), wrk against the Api's own port, and
# every figure printed as a ratio against a bare-Kestrel baseline measured in the same run.
#   make benchmark-scale                       (all scenarios; the first run loads the data, later runs reuse it)
#     Each of cached, zipf and uniform is measured twice: in Production as users run it (a second Api process started
#     as a Kubernetes pod would be: ASPNETCORE_ENVIRONMENT=Production, an OIDC issuer of the benchmark's own on
#     loopback, RS256 tokens of 100 callers taking turns on every read, the trace sampling the README recommends), and
#     in Development with anonymous reads (the AppHost's own Api), so that neither can regress unseen.
#   make benchmark-scale SCENARIO=zipf         (baseline + some of: cached, zipf, uniform, ceilings; comma-separated)
#     ceilings: the same traffic through the required framework pipeline with the simplest Redis -> PostgreSQL read
#     behind it (output cache in memory: an upper bound; in Redis with the stock store: a reference), through the
#     leanest read path possible, and pgbench / redis-benchmark on the same servers
#   make benchmark-scale SOAK=10               (Zipf load for 10 minutes, Api RSS printed every minute)
#   make benchmark-scale REPEAT=3              (three rounds, each with its own baseline; medians printed at the end)
#     With zipf, also Production Zipf at a fixed arrival rate (50 % and 80 % of its closed-loop maximum): p50/p99/p99.9.
#   make benchmark-scale PRODUCTION_SETTINGS="Auth__TokenCacheLifetime=00:00:00"   (extra settings of the Production Api)
#   make benchmark-scale STREAMS=1000          (as many event streams held open on the Production Api meanwhile,
#     idle dashboards following the hot channel: the read path's figures must not drop beyond noise)
# Knobs: CHANNELS=1000000 VIDEOS_PER_CHANNEL=20 DURATION=20s WARMUP=20s CONNECTIONS=32.
# Everything targets 127.0.0.1 and stops by itself; the data stays in .data/benchmark-scale/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh

CHANNELS="${CHANNELS:-1000000}"
VIDEOS_PER_CHANNEL="${VIDEOS_PER_CHANNEL:-20}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
SCENARIO="${SCENARIO:-all}"
SOAK="${SOAK:-0}"
STREAMS="${STREAMS:-0}"
REPEAT="${REPEAT:-1}"
BASELINE="http://127.0.0.1:5199"
PIPELINE="http://127.0.0.1:5198"
STOCK="http://127.0.0.1:5196"
ISSUER="http://127.0.0.1:5197"
PRODUCTION="http://127.0.0.1:5195"
export CHANNELS

repo="$(pwd)"
store="$repo/.data/benchmark-scale/${CHANNELS}x${VIDEOS_PER_CHANNEL}"
work="$(mktemp -d)"
chmod 755 "$work" # PostgreSQL runs as the postgres user when we are root: it must reach the folders
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
pids=()
want() { [[ "$SCENARIO" == all || ",$SCENARIO," == *",$1,"* ]]; }

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${as_pg[@]}" "$bin/pg_ctl" -D "$store/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building (Release)..."
dotnet build -c Release VideoAspire.sln -v quiet -nologo >/dev/null
dotnet tool restore >/dev/null

# --- PostgreSQL with the data set (created once, reused by later runs) -------------------------------------------
mkdir -p "$store"
if [[ $(id -u) -eq 0 ]]; then chmod 755 "$repo/.data" "$repo/.data/benchmark-scale"; chown postgres "$store"; fi
if [[ ! -f "$store/pg/PG_VERSION" ]]; then
  "${as_pg[@]}" "$bin/initdb" -D "$store/pg" -A trust -U postgres -E UTF8 --no-instructions >/dev/null
fi
"${as_pg[@]}" "$bin/pg_ctl" -D "$store/pg" -l "$store/pg.log" -w -o "-p $pg_port -k /tmp \
  -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=6GB -c max_wal_size=8GB \
  -c log_min_duration_statement=250 -c shared_preload_libraries=pg_stat_statements" start >/dev/null
psql() { command psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=videosdb"

if [[ ! -f "$store/loaded" ]]; then
  psql -c "DROP DATABASE IF EXISTS videosdb" postgres
  psql -c "CREATE DATABASE videosdb" postgres
  echo "Applying the EF Core migrations..."
  dotnet run -c Release --no-build --project VideoAspire.MigrationService -- \
    "ConnectionStrings:videosdb=$connection" "Seed:DemoData=false" >"$work/migrate.log" 2>&1 \
    || { tail -20 "$work/migrate.log"; exit 1; }

  # Bulk load without the secondary index (built once at the end: far faster than maintaining it row by row).
  index_definition=$(psql videosdb -c "SELECT pg_get_indexdef('ix_videos_channel_latest'::regclass)")
  psql videosdb -c "DROP INDEX ix_videos_channel_latest"
  total=$(( CHANNELS * VIDEOS_PER_CHANNEL ))
  chunk=$(( CHANNELS < 20000 ? CHANNELS : 20000 ))
  started=$(date +%s.%N)
  for (( first = 1; first <= CHANNELS; first += chunk )); do
    last=$(( first + chunk - 1 < CHANNELS ? first + chunk - 1 : CHANNELS ))
    # Channel n is 'UC' + n zero-padded to 22 digits (the wrk scripts build the same ids); videos are spread over
    # three years, a few hours apart within a channel, so the newest five are well defined.
    psql videosdb <<SQL
SET session_replication_role = replica; -- foreign keys are satisfied by construction; skip their triggers
INSERT INTO channels (id, title, created_at)
SELECT 'UC' || lpad(c::text, 22, '0'), 'Channel ' || c, now() FROM generate_series($first, $last) c;
INSERT INTO videos (video_id, channel_id, title, published_at)
SELECT lpad(to_hex((c - 1) * $VIDEOS_PER_CHANNEL + k), 11, '0'), 'UC' || lpad(c::text, 22, '0'),
       'Video ' || k || ' of channel ' || c || ': a title of a realistic length',
       timestamptz '2023-01-01' + (c % 100000) * interval '15 minutes' + k * interval '7 hours'
FROM generate_series($first, $last) c, generate_series(1, $VIDEOS_PER_CHANNEL) k;
SQL
    done_rows=$(( last * VIDEOS_PER_CHANNEL ))
    awk -v done="$done_rows" -v total="$total" -v started="$started" -v now="$(date +%s.%N)" 'BEGIN {
      elapsed = now - started; rate = done / (elapsed > 0 ? elapsed : 1); width = 30; filled = int(width * done / total)
      bar = ""; for (i = 0; i < width; i++) bar = bar (i < filled ? "#" : ".")
      printf "\r  loading [%s] %5.1f%%  %d/%d videos  %.0f rows/s  ETA %ds   ", bar, 100 * done / total, done, total, rate, (total - done) / rate
    }'
  done
  echo
  echo "Building ix_videos_channel_latest and analyzing..."
  psql videosdb -c "SET maintenance_work_mem = '1GB'" -c "$index_definition" -c "VACUUM ANALYZE channels, videos"
  touch "$store/loaded"
  echo "  loaded in $(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN {printf "%.0f", n - s}') s"
else
  echo "Reusing $(psql videosdb -c "SELECT count(*) FROM videos") videos in $store"
fi
# Forget the previous run's reads, so every run starts from the same state; the checkpoint writes those pages out now,
# or the measured reads would (a read that evicts a dirty page first waits for its WAL to reach the disk).
psql videosdb -c "UPDATE channels SET last_accessed_at = NULL WHERE last_accessed_at IS NOT NULL" -c "CHECKPOINT" >/dev/null
# The working set in memory, as on a database server sized for it: otherwise the long tail measures this VM's disk
# (index pages the page cache dropped since the last run). The read path's relations go into shared buffers (an
# index-only scan reads only the index and the visibility map), the heap into the page cache.
echo "Reading the tables and indexes into memory (pg_prewarm)..."
psql videosdb -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
  -c "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relname = 'videos'" \
  -c "SELECT sum(pg_prewarm(c.oid, 'buffer')) FROM pg_class c WHERE c.relname IN ('ix_videos_channel_latest', 'channels', 'pk_channels')" >/dev/null

# --- The product, as users run it -------------------------------------------------------------------------------
echo "Starting the AppHost (Release, no dashboard, fresh Redis)..."
ConnectionStrings__videosdb="$connection" \
  dotnet run -c Release --no-build --project VideoAspire.AppHost --launch-profile http -- \
  "Infrastructure:DataDirectory=$work/data" --no-dashboard >"$work/apphost.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 180); do
  [[ "$(curl -s http://127.0.0.1:5080/health || true)" == "Healthy" ]] && break
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 1
done
[[ "$(curl -s http://127.0.0.1:5080/health || true)" == "Healthy" ]] || { echo "Api not healthy; log:"; tail -50 "$work/apphost.log"; exit 1; }
read -r api_port api_pid < <(ss -Hltnp | awk '/"VideoAspire.Api"/ && $4 ~ /^127\.0\.0\.1:/ {
  split($4, a, ":"); match($0, /pid=[0-9]+/); print a[2], substr($0, RSTART + 4, RLENGTH - 4); exit }')
redis_port=$(ss -Hltnp | awk '/"redis-server"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
[[ -n "$api_port" && -n "$api_pid" ]] || { echo "Cannot find the Api's own port (ss -ltnp)"; exit 1; }
API="http://127.0.0.1:$api_port"
hot="UC$(printf '%022d' 1)"

curl -s -o "$work/body.json" "$API/videos?channel_id=$hot"
dotnet benchmarks/VideoAspire.Baseline/bin/Release/net10.0/VideoAspire.Baseline.dll --body "$work/body.json" \
  --database "$connection" --urls "$BASELINE" >"$work/baseline.log" 2>&1 &
pids+=($!)
baseline_pid=$!
for _ in $(seq 1 30); do curl -sf -o /dev/null "$BASELINE/videos" && break; sleep 0.5; done
if want ceilings; then
  # The required pieces' ceiling: the framework pipeline every read passes through (as the Api configures it: OpenTelemetry,
  # problem details, authentication, a rate limit per caller, the output cache) in front of the simplest Redis -> PostgreSQL
  # read, on the same Redis and PostgreSQL; the same environment and thread-pool setting as the Api.
  # The stock build (STOCK) is the same with the output cache in Redis through the framework's own store, as the brief
  # literally reads: no memory level. Each process has its own Redis keys.
  start_pipeline() { # output-cache store (memory or redis), url
    ASPNETCORE_ENVIRONMENT=Development DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
      dotnet benchmarks/VideoAspire.Baseline/bin/Release/net10.0/VideoAspire.Baseline.dll --pipeline true --body "$work/body.json" \
      --database "$connection" --redis "127.0.0.1:$redis_port" --outputcache "$1" --urls "$2" >"$work/pipeline-$1.log" 2>&1 &
    pids+=($!)
  }
  start_pipeline memory "$PIPELINE"
  pipeline_pid=$!
  start_pipeline redis "$STOCK"
  stock_pid=$!
  for url in "$PIPELINE" "$STOCK"; do
    for _ in $(seq 1 30); do curl -sf -o /dev/null "$url/videos?channel_id=$hot" && break; sleep 0.5; done
  done
fi

# Production, as a pod runs it: the AppHost's Api's own settings (its Redis and PostgreSQL), in Production, behind an
# OIDC issuer on loopback whose tokens it must validate on every read. The per-caller rate limit is raised, not removed:
# 100 callers at the default 100 reads/s each would measure its refusals; its work on every request is measured.
dotnet benchmarks/VideoAspire.Baseline/bin/Release/net10.0/VideoAspire.Baseline.dll --body "$work/body.json" \
  --issuer "$ISSUER" --tokens "$work/tokens.txt" --callers 100 --urls "$ISSUER" >"$work/issuer.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 30); do curl -sf -o /dev/null "$ISSUER/jwks" && [[ -s "$work/tokens.txt" ]] && break; sleep 0.5; done
production_env=()
while IFS= read -r -d '' variable; do
  case "$variable" in
    ASPNETCORE_ENVIRONMENT=*|DOTNET_ENVIRONMENT=*|ASPNETCORE_URLS=*|ASPNETCORE_HTTP_PORTS=*|HTTP_PORTS=*|Auth__*|Authentication__*) ;;
    *) production_env+=("$variable") ;;
  esac
done <"/proc/$api_pid/environ"
# From its own folder, as in its container image (WORKDIR /app): its appsettings.json (log levels included) is found
# there, not in the repository's root.
(cd VideoAspire.Api/bin/Release/net10.0 && exec env -i "${production_env[@]}" ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$PRODUCTION" AllowedHosts=127.0.0.1 \
  Authentication__Schemes__Bearer__Authority="$ISSUER" Authentication__Schemes__Bearer__RequireHttpsMetadata=false \
  Authentication__Schemes__Bearer__ValidIssuer="$ISSUER" Authentication__Schemes__Bearer__ValidAudiences__0=videoaspire-api \
  RateLimiting__TokenLimit=100000 RateLimiting__TokensPerPeriod=100000 \
  OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.05 ${PRODUCTION_SETTINGS:-} \
  dotnet VideoAspire.Api.dll >"$work/production.log" 2>&1) &
pids+=($!)
production_pid=$!
token=$(head -1 "$work/tokens.txt")
for _ in $(seq 1 60); do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$PRODUCTION/videos?channel_id=$hot" && break; sleep 0.5; done
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$PRODUCTION/videos?channel_id=$hot" \
  || { echo "The Production Api does not answer; log:"; tail -30 "$work/production.log"; exit 1; }
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$PRODUCTION/videos?channel_id=$hot")" == 401 ]] \
  || { echo "The Production Api answers without a token: not the configuration users run"; exit 1; }
export TOKENS_FILE="" # set per scenario below
if (( STREAMS > 0 )); then
  dotnet benchmarks/VideoAspire.StressTest/bin/Release/net10.0/VideoAspire.StressTest.dll streams --url "$PRODUCTION" \
    --count "$STREAMS" --channel "$hot" --tokens "$work/tokens.txt" --duration 1h >"$work/streams.log" 2>&1 &
  pids+=($!)
  sleep 10
  echo "Holding $STREAMS event streams open on the Production Api ($(grep -c . "$work/streams.log" || true) status lines so far)"
fi

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/${1:-$api_pid}/status"; }
source scripts/process-cpu.sh
ticks_per_second=$(getconf CLK_TCK)
worker_pid=$(pgrep -f 'VideoAspire.Worker/bin/Release/net10.0/VideoAspire.Worker' | head -1 || true)
postmaster_pid=$(head -1 "$store/pg/postmaster.pid")
others_ticks() { # "worker postgres" CPU ticks so far (PostgreSQL: the postmaster, its live backends and those that exited)
  local pg pid
  pg=$(cpu_ticks "$postmaster_pid" reaped)
  for pid in $(pgrep -P "$postmaster_pid"); do pg=$(( pg + $(cpu_ticks "$pid" 2>/dev/null || echo 0) )); done
  echo "$( [[ -n "$worker_pid" ]] && cpu_ticks "$worker_pid" || echo 0) $pg"
}
gc_during() { # seconds [pid] -> "gen0/gen1/gen2 pause" collections and total GC pause counted by the runtime's own counters
  local s=$1
  dotnet dotnet-counters collect -p "${2:-$api_pid}" --counters System.Runtime --refresh-interval 1 --format csv \
    --duration "$(printf '%02d:%02d:%02d' $((s / 3600)) $((s % 3600 / 60)) $((s % 60)))" -o "$work/gc.csv" >/dev/null 2>&1 || true
  awk -F, '/dotnet.gc.collections/ { match($0, /gen[0-2]/); v[substr($0, RSTART, RLENGTH)] += $NF }
    /dotnet.gc.pause.time/ { pause += $NF }
    END { printf "%d/%d/%d %.0fms", v["gen0"], v["gen1"], v["gen2"], pause * 1000 }' "$work/gc.csv" 2>/dev/null || echo "?"
}

wrk_run() { # duration url [wrk args...] -> "rps p50 p99 errors" (and the slowest request in $work/max.txt)
  local out rps p50 p99 errors
  out=$(with_progress wrk "$(seconds_of "$1")" wrk -t1 -c"$CONNECTIONS" -d"$1" --latency "${@:3}" "$2")
  awk '$1 == "Latency" {print $4; exit}' <<<"$out" >"$work/max.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); s = s $0 "; "} END {print (s == "" ? "0" : s)}' <<<"$out")
  echo "$rps $p50 $p99 $errors"
}

rows=()
measure() { # name url [wrk args...]
  local before_rss before_cpu result cpu server_pid=$api_pid
  [[ "$2" == "$BASELINE"* ]] && server_pid=$baseline_pid # the baseline and the ceilings: CPU of their own process
  [[ "$2" == "$PIPELINE"* ]] && server_pid=$pipeline_pid
  [[ "$2" == "$STOCK"* ]] && server_pid=$stock_pid
  [[ "$2" == "$PRODUCTION"* ]] && server_pid=$production_pid
  before_rss=$(rss_mb "$server_pid")
  before_cpu=$(cpu_ticks "$server_pid")
  local before_others; before_others=$(others_ticks)
  echo "  $1 ($DURATION)..." >&2
  gc_during "$(seconds_of "$DURATION")" "$server_pid" >"$work/gc.txt" &
  result=$(wrk_run "$DURATION" "${@:2}")
  wait $!
  # CPU per request (user + kernel) of the process answering, from /proc: what one read costs it, whoever else
  # shares the cores.
  cpu=$(awk -v t="$(( $(cpu_ticks "$server_pid") - before_cpu ))" -v hz="$ticks_per_second" -v rps="${result%% *}" -v s="$(seconds_of "$DURATION")" \
    'BEGIN {printf "%.0f", t / hz * 1e6 / (rps * s)}')
  # What the rest of the machine spent meanwhile, in cores: the Worker's background work and PostgreSQL compete for the
  # same two cores, and their share explains much of the run-to-run spread.
  others=$(paste -d' ' <(echo "$before_others") <(others_ticks) | awk -v hz="$ticks_per_second" -v s="$(seconds_of "$DURATION")" \
    '{printf "%.2f/%.2f", ($3 - $1) / hz / s, ($4 - $2) / hz / s}')
  rows+=("$1|$result|$before_rss -> $(rss_mb "$server_pid")|$(cat "$work/gc.txt")|$cpu|${ROUND:-1}|$others")
}

# Redis memory per cached channel: used_memory and the number of channels with a latest-five entry, before and after
# the long-tail rows (every key they add counts: entries, output-cache copies, tag sets, marks).
redis_snapshot() {
  echo "$(redis-cli -h 127.0.0.1 -p "$redis_port" INFO memory | awk -F: '/^used_memory:/ {print $2+0}')" \
    "$(redis-cli -h 127.0.0.1 -p "$redis_port" --scan --pattern 'videos:*:latest' | wc -l)"
}

log_start=$(wc -l <"$store/pg.log") # statements slower than 250 ms are logged from here on: counted at the end
# PostgreSQL's own account of where its time goes, by statement, from the first measured request on.
psql videosdb -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
echo "Warming up ($WARMUP each: JIT, pools, connections)..."
wrk_run "$WARMUP" "$BASELINE/videos" >/dev/null
wrk_run "$WARMUP" "$API/videos?channel_id=$hot" >/dev/null
wrk_run "$WARMUP" "$API/" -s benchmarks/uniform-channels.lua >/dev/null
TOKENS_FILE="$work/tokens.txt" wrk_run "$WARMUP" "$PRODUCTION/videos?channel_id=$hot" -s benchmarks/cached-channel.lua >/dev/null
TOKENS_FILE="$work/tokens.txt" SEED=8 wrk_run "$WARMUP" "$PRODUCTION/" -s benchmarks/uniform-channels.lua >/dev/null
want ceilings && SEED=9 wrk_run "$WARMUP" "$PIPELINE/" -s benchmarks/uniform-channels.lua >/dev/null
want ceilings && SEED=9 wrk_run "$WARMUP" "$STOCK/" -s benchmarks/uniform-channels.lua >/dev/null
echo "Measuring: wrk -t1 -c$CONNECTIONS -d$DURATION on $(nproc) cores, $CHANNELS channels x $VIDEOS_PER_CHANNEL videos..."
psql videosdb -c "SELECT pg_stat_statements_reset()" >/dev/null
for round in $(seq 1 "$REPEAT"); do
  (( REPEAT > 1 )) && echo " round $round of $REPEAT" >&2
  # Each round measures its own baseline first: this machine's speed drifts by 10-20 % over minutes, and a ratio is
  # only as good as the baseline measured next to it.
  ROUND=$round measure "bare Kestrel, constant body (baseline)" "$BASELINE/videos"
  # Production first (what users get), then the same traffic in Development, anonymous.
  want cached && ROUND=$round TOKENS_FILE="$work/tokens.txt" measure "Production: one cached channel" "$PRODUCTION/videos?channel_id=$hot" -s benchmarks/cached-channel.lua
  (( round == 1 )) && redis_snapshot >"$work/redis-before.txt"
  want zipf && ROUND=$round TOKENS_FILE="$work/tokens.txt" SEED=$((41 + round)) measure "Production: Zipf s=1 over $CHANNELS" "$PRODUCTION/" -s benchmarks/zipf-channels.lua
  want uniform && ROUND=$round TOKENS_FILE="$work/tokens.txt" SEED=$((10 + round)) measure "Production: uniform over $CHANNELS" "$PRODUCTION/" -s benchmarks/uniform-channels.lua
  (( round == 1 )) && redis_snapshot >"$work/redis-after.txt"
  want cached && ROUND=$round measure "Development: one cached channel" "$API/videos?channel_id=$hot"
  want zipf && ROUND=$round SEED=$((41 + round)) measure "Development: Zipf s=1 over $CHANNELS" "$API/" -s benchmarks/zipf-channels.lua
  want uniform && ROUND=$round SEED=$((10 + round)) measure "Development: uniform over $CHANNELS" "$API/" -s benchmarks/uniform-channels.lua
  # The same traffic through the required pieces done the simplest way (PIPELINE, see above): how far the product could go
  # without dropping a requirement.
  want ceilings && ROUND=$round measure "ceiling: required pipeline, cached" "$PIPELINE/videos?channel_id=$hot"
  want ceilings && ROUND=$round SEED=$((41 + round)) measure "ceiling: required pipeline, Zipf" "$PIPELINE/" -s benchmarks/zipf-channels.lua
  want ceilings && ROUND=$round SEED=$((10 + round)) measure "ceiling: required pipeline, uniform" "$PIPELINE/" -s benchmarks/uniform-channels.lua
  # And the same pieces as stock parts, the output cache in Redis with no memory level: what the brief gives unaided.
  want ceilings && ROUND=$round measure "reference: stock pieces, cached" "$STOCK/videos?channel_id=$hot"
  want ceilings && ROUND=$round SEED=$((41 + round)) measure "reference: stock pieces, Zipf" "$STOCK/" -s benchmarks/zipf-channels.lua
  want ceilings && ROUND=$round SEED=$((10 + round)) measure "reference: stock pieces, uniform" "$STOCK/" -s benchmarks/uniform-channels.lua
  # The same traffic against the leanest read path possible (the baseline process's /ceiling/videos: an unbounded
  # dictionary in front of the prepared query, nothing else): how far any implementation could go on this machine.
  want ceilings && ROUND=$round SEED=$((41 + round)) PATH_PREFIX=/ceiling measure "ceiling: lean read path, Zipf" "$BASELINE/" -s benchmarks/zipf-channels.lua
  want ceilings && ROUND=$round SEED=$((10 + round)) PATH_PREFIX=/ceiling measure "ceiling: lean read path, uniform" "$BASELINE/" -s benchmarks/uniform-channels.lua
done

# Latency at a fixed arrival rate (open loop: requests start on schedule whatever the answers do, each measured from
# when it was due): Production Zipf reads at 50 % and 80 % of the closed-loop maximum just measured.
open_loop=()
production_zipf_rps=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$1 ~ /^Production: Zipf/ {split($2, r, " "); print r[1]; exit}')
if want zipf && [[ -n "$production_zipf_rps" ]]; then
  for share in 50 80; do
    rate=$(awk -v r="$production_zipf_rps" -v s="$share" 'BEGIN {printf "%d", r * s / 100}')
    echo "  open loop: Production Zipf at $share % of its maximum ($rate requests/s, $DURATION)..." >&2
    # With the Api's GC (collections gen0/1/2 and pause) and the cores the Worker and PostgreSQL took meanwhile.
    gc_during "$(seconds_of "$DURATION")" "$production_pid" >"$work/gc.txt" &
    before_others=$(others_ticks)
    line=$(dotnet benchmarks/VideoAspire.StressTest/bin/Release/net10.0/VideoAspire.StressTest.dll open-loop \
      --url "$PRODUCTION" --rate "$rate" --duration "$DURATION" --channels "$CHANNELS" --tokens "$work/tokens.txt" --seed 77)
    wait $!
    others=$(paste -d' ' <(echo "$before_others") <(others_ticks) | awk -v hz="$ticks_per_second" -v s="$(seconds_of "$DURATION")" \
      '{printf "%.2f/%.2f", ($3 - $1) / hz / s, ($4 - $2) / hz / s}')
    open_loop+=("$share % of max ($rate/s): $line gc=$(cat "$work/gc.txt") worker/postgres_cores=$others")
  done
fi

ceilings=()
if want ceilings; then
  echo "  ceilings: pgbench latest-five (prepared) and redis-benchmark GET..." >&2
  cat >"$work/latest.sql" <<SQL
\\set c random(1, $CHANNELS)
SELECT video_id, title, published_at FROM videos WHERE channel_id = 'UC' || lpad(:c::text, 22, '0')
ORDER BY published_at DESC, video_id DESC LIMIT 5;
SQL
  pg_tps=$(command pgbench -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared -c "$CONNECTIONS" -j 1 \
    -T "${DURATION%s}" -f "$work/latest.sql" videosdb 2>/dev/null | awk '/^tps/ {printf "%.0f", $3}')
  redis_rps=$(redis-benchmark -h 127.0.0.1 -p "$redis_port" -c "$CONNECTIONS" -n 400000 -t get --csv 2>/dev/null |
    awk -F'"' '$2 == "GET" {printf "%.0f", $4}')
  ceilings=("PostgreSQL latest-five (pgbench, prepared): ${pg_tps:-?} tps" "Redis GET (redis-benchmark): ${redis_rps:-?} rps")
fi

echo
printf '%-40s %11s %9s %9s %9s  %-12s %-10s %-17s %-22s %s\n' scenario requests/s "x base" p50 p99 "CPU/req" "Worker/PG" "Api RSS MB" "GCs 0/1/2, pause" errors
declare -A base_rps
for row in "${rows[@]}"; do
  IFS='|' read -r name result rss gc cpu round others <<<"$row"
  read -r rps p50 p99 errors <<<"$result"
  [[ -z "${base_rps[$round]:-}" ]] && base_rps[$round]=$rps # the first row of each round is its baseline
  (( REPEAT > 1 )) && [[ "$name" == bare* ]] && echo "round $round"
  ratio=$(awk -v a="$rps" -v b="${base_rps[$round]}" 'BEGIN {printf "%.4f", a / b}')
  printf '%-40s %11s %8.2fx %9s %9s  %-12s %-10s %-17s %-22s %s\n' "$name" "$rps" "$ratio" "$p50" "$p99" "${cpu} us" "$others" "$rss" "$gc" "$errors"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$ratio" "$rps" "$p99" "$cpu" >>"$work/summary.tsv"
done
if (( REPEAT > 1 )); then
  echo
  echo "Median over $REPEAT rounds (each ratio against its own round's baseline; min-max in brackets):"
  python3 - "$work/summary.tsv" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, ratio, rps, p99, cpu = line.rstrip("\n").split("\t")
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", p99).groups()  # wrk's latency: 850.00us, 2.31ms, 1.02s
    p99_ms = float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    rows.setdefault(name, []).append((float(ratio), float(rps), p99_ms, float(cpu)))
print(f"{'scenario':40} {'x base':>18} {'requests/s':>11} {'p99':>20} {'CPU/req':>9}")
for name, values in rows.items():
    ratios, rps, p99, cpu = (sorted(column) for column in zip(*values))
    print(f"{name:40} {statistics.median(ratios):>6.2f}x [{ratios[0]:.2f}-{ratios[-1]:.2f}] {statistics.median(rps):>11.0f}"
          f" {statistics.median(p99):>6.2f}ms [{p99[0]:.1f}-{p99[-1]:.1f}] {statistics.median(cpu):>6.0f} us")
PY
fi
for line in "${open_loop[@]}"; do echo "open loop, Production Zipf, $line (ms; lag = the generator's own lateness)"; done
for line in "${ceilings[@]}"; do echo "ceiling: $line"; done
if [[ -s "$work/redis-before.txt" && -s "$work/redis-after.txt" ]]; then
  read -r memory_before channels_before <"$work/redis-before.txt"
  read -r memory_after channels_after <"$work/redis-after.txt"
  awk -v m=$((memory_after - memory_before)) -v c=$((channels_after - channels_before)) 'BEGIN {
    if (c > 0) printf "Redis bytes per cached channel (Production long-tail rows): %d B (%d B more used_memory / %d more channels cached); the seed: 161 B (ids only)\n", m / c, m, c }'
fi
echo "PostgreSQL time by statement over the measured run (pg_stat_statements; ms = execution time in the server):"
psql videosdb -F $'\t' -c "SELECT calls, round(total_exec_time), round(1000 * total_exec_time / calls), left(regexp_replace(query, '\s+', ' ', 'g'), 90)
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'videosdb')
  ORDER BY total_exec_time DESC LIMIT 5" | awk -F'\t' '{printf "  %9d calls %8d ms %6d us each  %s\n", $1, $2, $3, $4}'
# A slow statement during a run is usually not the read path but something competing with it (it once was the
# Worker's re-warm query taking 8 s of a core every minute).
slow=$(tail -n +"$((log_start + 1))" "$store/pg.log" | grep -c 'duration: ' || true)
echo "PostgreSQL statements slower than 250 ms during the run: $slow$( (( slow > 0 )) && echo " (see $store/pg.log)")"
echo "x base = scenario requests/s / bare-Kestrel requests/s in this run (1.00x = as fast as Kestrel doing nothing);"
(( STREAMS > 0 )) && echo "With $STREAMS event streams held open on the Production Api: $(tail -1 "$work/streams.log")"
echo "Worker/PG = cores the Worker and PostgreSQL (all its processes) used during the scenario;"
echo "CPU/req = user + kernel CPU time of the process answering (the Api; the baseline process for the baseline and lean rows, the pipeline process for the required-pipeline and stock rows) / requests answered;"
echo "RSS before -> after the scenario and GCs (collections per generation, total pause) are those of the process answering."

if (( SOAK > 0 )); then
  echo
  echo "Soak: one minute of Zipf load to fill the memory level (not counted), then $SOAK minutes, RSS every minute..."
  worker_rss() { [[ -n "$worker_pid" ]] && rss_mb "$worker_pid" || echo "?"; }
  result=$(SEED=41 wrk_run 60s "$API/" -s benchmarks/zipf-channels.lua)
  echo "  warm-up minute: Api $(rss_mb) MB, Worker $(worker_rss) MB   (requests/s p50 p99 errors: $result)"
  start_rss=$(rss_mb)
  start_worker=$(worker_rss)
  echo "  minute 0: Api ${start_rss} MB, Worker ${start_worker} MB"
  samples=("$start_rss")
  for minute in $(seq 1 "$SOAK"); do
    result=$(SEED=$((42 + minute)) wrk_run 60s "$API/" -s benchmarks/zipf-channels.lua) # new tail channels every minute
    samples+=("$(rss_mb)")
    echo "  minute $minute: Api ${samples[-1]} MB, Worker $(worker_rss) MB   (requests/s p50 p99 errors: $result; slowest $(cat "$work/max.txt"))"
  done
  echo "  Worker RSS over the soak: ${start_worker} -> $(worker_rss) MB"
  awk -v a="$start_rss" -v b="$(rss_mb)" 'BEGIN {printf "  RSS change over the soak (minute 0 to the end): %+.1f%%\n", 100 * (b - a) / a}'
  printf '%s\n' "${samples[@]}" | sort -n | awk '{v[NR] = $1; s += $1} END {m = s / NR
    printf "  RSS range over the soak: %d-%d MB, within %+.1f%% / %+.1f%% of the mean (%d MB)\n", v[1], v[NR], 100 * (v[1] - m) / m, 100 * (v[NR] - m) / m, m}'
fi
