#!/usr/bin/env bash
# "Latest five of a channel" stays an index seek at ten million videos: loads VIDEOS synthetic videos over CHANNELS
# channels into a throw-away PostgreSQL (schema from the real EF Core migrations), shows the plan, and measures the
# query with pgbench against a `SELECT 1` baseline in the same run, at a small and at the full size.
#   make benchmark-db        (VIDEOS=10000000 CHANNELS=100000 DURATION=10 by default; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh

VIDEOS="${VIDEOS:-10000000}"
CHANNELS="${CHANNELS:-100000}"
DURATION="${DURATION:-10}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work="$(mktemp -d)"
chmod 755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [[ $(id -u) -eq 0 ]]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi

cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${as_pg[@]}" "$bin/initdb" -D "$work/data" -A trust -U postgres --no-instructions >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_wal_size=4GB" start >/dev/null
psql() { command psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql -c "CREATE DATABASE videosdb" postgres

echo "Applying the EF Core migrations..."
dotnet run -c Release --project VideoAspire.MigrationService -- \
  "ConnectionStrings:videosdb=Host=127.0.0.1;Port=$port;Username=postgres;Database=videosdb" "Seed:DemoData=false" \
  >"$work/migrate.log" 2>&1 || { tail -20 "$work/migrate.log"; exit 1; }

load() { # total videos -> loads channels and videos up to that many, keeping the same channels
  local total=$1
  psql videosdb <<SQL
INSERT INTO channels (id, title, created_at)
SELECT 'UC' || lpad(to_hex(c), 22, '0'), 'Channel ' || c, now() FROM generate_series(1, $CHANNELS) c
ON CONFLICT DO NOTHING;
INSERT INTO videos (video_id, channel_id, title, published_at)
SELECT lpad(to_hex(v), 11, '0'), 'UC' || lpad(to_hex(1 + v % $CHANNELS), 22, '0'), 'Video ' || v,
       timestamptz '2020-01-01' + (v * interval '17 seconds')
FROM generate_series((SELECT count(*) FROM videos) + 1, $total) v;
VACUUM ANALYZE channels, videos;
SQL
}

cat >"$work/latest.sql" <<SQL
\\set c random(1, $CHANNELS)
SELECT video_id, title, published_at FROM videos
WHERE channel_id = 'UC' || lpad(to_hex(:c), 22, '0')
ORDER BY published_at DESC, video_id DESC LIMIT 5;
SQL
echo 'SELECT 1;' >"$work/baseline.sql"

bench() { # script -> "tps latency_ms"
  with_progress pgbench "$DURATION" pgbench -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -T "$DURATION" -f "$1" videosdb 2>/dev/null |
    awk '/latency average/ {lat=$4} /^tps/ {tps=$3} END {printf "%.0f %.3f", tps, lat}'
}

small=$(( VIDEOS / 1000 > CHANNELS * 2 ? VIDEOS / 1000 : CHANNELS * 2 ))
results=()
for size in "$small" "$VIDEOS"; do
  echo "Loading $size videos over $CHANNELS channels..."
  start=$(date +%s); with_progress loading "?" load "$size" >/dev/null; echo "  loaded in $(( $(date +%s) - start )) s"
  plan=$(psql videosdb -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
    SELECT video_id, title, published_at FROM videos WHERE channel_id = 'UC' || lpad(to_hex(4242), 22, '0')
    ORDER BY published_at DESC, video_id DESC LIMIT 5")
  echo "$plan" | sed 's/^/    /'
  read -r b_tps b_lat <<<"$(bench "$work/baseline.sql")"
  read -r q_tps q_lat <<<"$(bench "$work/latest.sql")"
  results+=("$size $b_tps $b_lat $q_tps $q_lat")
done

echo
printf '%12s %14s %16s %14s %16s %10s\n' videos "SELECT 1 tps" "SELECT 1 ms" "latest-5 tps" "latest-5 ms" "cost ×"
for row in "${results[@]}"; do
  read -r size b_tps b_lat q_tps q_lat <<<"$row"
  printf '%12s %14s %16s %14s %16s %10s\n' "$size" "$b_tps" "$b_lat" "$q_tps" "$q_lat" "$(awk -v a="$b_tps" -v b="$q_tps" 'BEGIN {printf "%.2f", a / b}')"
done
echo "cost × = SELECT 1 throughput / latest-five throughput in the same run (pgbench, 4 clients). Flat across sizes = a seek."
