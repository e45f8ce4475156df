#!/usr/bin/env bash
# Webhook delivery at scale: SUBSCRIPTIONS (100,000) over CHANNELS (10,000), one channel with HOT (10,000) subscribers,
# every endpoint a URL of one local sink (VideoAspire.Baseline --sink, on 127.0.0.2). Uploads enter as the product
# stores them: snapshots on the hand-off stream, persisted by the Worker through the one writer (outbox), fanned out
# and delivered by the Worker. Two phases:
#   burst:  BURST uploads to the hot channel at once (BURST x HOT messages): deliveries per second.
#   steady: RATE uploads/s for DURATION s to the long tail (channels with 1-2 subscribers): commit-to-receipt p50/p99.
# Prints the Worker's and PostgreSQL's CPU (cores) for each, against the targets (>= 2,000 deliveries/s; p99 <= 2 s).
#   make benchmark-notify                    (RATE=500 DURATION=20 BURST=5)
# Everything targets 127.0.0.1/127.0.0.2 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

SUBSCRIPTIONS="${SUBSCRIPTIONS:-100000}"
CHANNELS="${CHANNELS:-10000}"
HOT="${HOT:-10000}"
RATE="${RATE:-500}"
DURATION="${DURATION:-20}"
BURST="${BURST:-5}"
SINK="http://127.0.0.2:5299"
source scripts/apphost.sh
# The servers are found by their listening ports below: another run's must not be mistaken for this one's.
! ss -Hltnp | grep -qE '"(postgres|redis-server)"' || { echo "A PostgreSQL or Redis server already runs here: stop it first."; exit 1; }
start_apphost "Notifications:AllowedNetworks:0=127.0.0.2/32" "Notifications:AllowHttp=true" \
  "Notifications:DeliveriesPerCallerPerDay=100000000"
redis_port=$(ss -Hltnp | awk '/"redis-server"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
db_port=$(ss -Hltnp | awk '/"postgres"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
sql() { psql -h 127.0.0.1 -p "$db_port" -U postgres -qAt videosdb -c "$1"; }

echo '{}' >"$work/body.json"
dotnet benchmarks/VideoAspire.Baseline/bin/Release/net10.0/VideoAspire.Baseline.dll --body "$work/body.json" --sink true \
  --urls "$SINK" >"$work/sink.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 30); do curl -sf -o /dev/null "$SINK/sink/stats" && break; sleep 0.5; done
stat() { curl -sf "$SINK/sink/stats" | python3 -c "import json,sys; s=json.load(sys.stdin); print(s['$1'])"; }

# Subscriptions, as verified ones are stored (the API's verification is per endpoint and is not what this measures):
# channel 0 has HOT subscribers; channels 1-999 share 80 % of the rest; channels 1000+ one or two each (the long tail).
secret="whsec_$(head -c 32 /dev/urandom | base64)"
echo "Seeding $SUBSCRIPTIONS subscriptions over $CHANNELS channels ($HOT on one)..."
sql "
INSERT INTO webhook_subscriptions (id, owner, url, kinds, secret, status, created_at, verified_at)
SELECT md5('bench' || n)::uuid, 'bench-' || (n % 1000), '$SINK/hooks/' || n, '{}', '$secret', 'active', now(), now()
FROM generate_series(0, $SUBSCRIPTIONS - 1) AS n;
INSERT INTO webhook_subscription_channels (subscription_id, channel_id)
SELECT md5('bench' || n)::uuid, 'UCbench' || lpad((CASE
         WHEN n < $HOT THEN 0
         WHEN n - $HOT < ($SUBSCRIPTIONS - $HOT) * 8 / 10 THEN 1 + (n - $HOT) % 999
         ELSE 1000 + (n - $HOT) % ($CHANNELS - 1000) END)::text, 17, '0')
FROM generate_series(0, $SUBSCRIPTIONS - 1) AS n;
ANALYZE webhook_subscriptions; ANALYZE webhook_subscription_channels;"
echo "  $(sql "SELECT count(*) FROM webhook_subscriptions") subscriptions, $(sql "SELECT count(DISTINCT channel_id) FROM webhook_subscription_channels") channels"

# One XADD per upload: a snapshot of the channel with one new video, as the Api hands a fetch off.
run_id=$(printf '%04x' $((RANDOM % 65536)))
uploads() { # count first-channel last-channel sequence
  awk -v count="$1" -v lo="$2" -v hi="$3" -v seq="$4" -v run="$run_id" -v nowms="$(date +%s%3N)" -v now="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" 'BEGIN {
    srand(seq);
    for (i = 0; i < count; i++) {
      channel = sprintf("UCbench%017d", lo + int(rand() * (hi - lo + 1))); video = sprintf("%s%07d", run, seq * 100000 + i)
      json = "{\"ChannelId\":\"" channel "\",\"Title\":\"Bench\",\"Videos\":[{\"VideoId\":\"" video "\",\"Title\":\"Upload " video "\",\"PublishedAt\":\"" now "\"}],\"Source\":\"data-api\",\"FetchedAt\":\"" now "\"}"
      printf "XADD videos:handoff * snapshot %s published %s traceparent \"\"\n", "'"'"'" json "'"'"'", nowms
    }
  }' | redis-cli -h 127.0.0.1 -p "$redis_port" >/dev/null
}

source scripts/process-cpu.sh
hz=$(getconf CLK_TCK)
worker_pids=$(pgrep -f 'VideoAspire.Worker/bin/Release/net10.0/VideoAspire.Worker' || true)
postmaster=$(ss -Hltnp | awk '/"postgres"/ && $4 ~ /^127\.0\.0\.1:/ {match($0, /pid=[0-9]+/); print substr($0, RSTART + 4, RLENGTH - 4); exit}')
ticks() { # worker postgres
  local w=0 p pid
  for pid in $worker_pids; do w=$(( w + $(cpu_ticks "$pid") )); done
  p=$(cpu_ticks "$postmaster" reaped)
  for pid in $(cat "/proc/$postmaster/task/$postmaster/children" 2>/dev/null); do p=$(( p + $(cpu_ticks "$pid" 2>/dev/null || echo 0) )); done
  echo "$w $p"
}
cores() { # before-ticks seconds
  paste -d' ' <(echo "$1") <(ticks) | awk -v hz="$hz" -v s="$2" '{printf "Worker %.2f cores, PostgreSQL %.2f cores", ($3 - $1) / hz / s, ($4 - $2) / hz / s}'
}
pending() { sql "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"; }
drain() { # expected-messages timeout-seconds
  local waited=0
  until (( $(stat received) >= $1 )) || (( waited >= $2 )); do sleep 1; waited=$(( waited + 1 )); done
}

# Warm-up: one upload to a long-tail channel, so JIT, pools and connections are not measured.
uploads 5 1000 $(( CHANNELS - 1 )) 1; sleep 5; curl -sf -X POST "$SINK/sink/reset"

echo; echo "Burst: $BURST uploads to the hot channel = $(( BURST * HOT )) messages..."
before=$(ticks); started=$(date +%s.%N)
uploads "$BURST" 0 0 2
drain $(( BURST * HOT )) 180
elapsed=$(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN {print n - s}')
burst_received=$(stat received); burst_seconds=$(stat seconds)
burst_rate=$(awk -v r="$burst_received" -v s="$burst_seconds" 'BEGIN {printf "%.0f", (s > 0 ? r / s : 0)}')
burst_line="$burst_received of $(( BURST * HOT )) received ($(stat distinct) distinct ids) in $(printf '%.1f' "$burst_seconds") s: $burst_rate deliveries/s; commit-to-receipt p50 $(stat p50_ms) ms, p99 $(stat p99_ms) ms; $(cores "$before" "$elapsed")"
echo "  $burst_line"

curl -sf -X POST "$SINK/sink/reset"
expected_before=$(sql "SELECT count(*) FROM webhook_deliveries")
echo; echo "Steady: $RATE uploads/s for $DURATION s to the long tail (1-2 subscribers each)..."
before=$(ticks); started=$(date +%s.%N)
for second in $(seq 1 "$DURATION"); do
  tick=$(date +%s.%N)
  uploads "$RATE" 1000 $(( CHANNELS - 1 )) $(( second + 10 ))
  printf '  second %3d: hand-off backlog %6d, events %7d, messages pending %6d, received %7d\n' "$second" \
    "$(redis-cli -h 127.0.0.1 -p "$redis_port" XLEN videos:handoff)" "$(sql "SELECT count(*) FROM video_events")" "$(pending)" "$(stat received)"
  sleep "$(awk -v t="$tick" -v n="$(date +%s.%N)" 'BEGIN {d = 1 - (n - t); print (d > 0 ? d : 0)}')"
done
for _ in $(seq 1 60); do (( $(pending) == 0 )) && (( $(sql "SELECT count(*) FROM webhook_deliveries") - expected_before == $(stat received) )) && break; sleep 1; done
elapsed=$(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN {print n - s}')
messages=$(( $(sql "SELECT count(*) FROM webhook_deliveries") - expected_before ))
steady_line="$(stat received) of $messages messages received for $(( RATE * DURATION )) uploads: $(awk -v r="$(stat received)" -v s="$(stat seconds)" 'BEGIN {printf "%.0f", (s > 0 ? r / s : 0)}') deliveries/s; commit-to-receipt p50 $(stat p50_ms) ms, p99 $(stat p99_ms) ms, max $(stat max_ms) ms; $(cores "$before" "$elapsed")"
echo "  $steady_line"

echo
echo "Results ($(nproc) cores):"
echo "  burst  (target >= 2,000 deliveries/s):              $burst_line"
echo "  steady (target p99 <= 2,000 ms at $RATE uploads/s): $steady_line"
