#!/usr/bin/env bash
# How fast the Worker persists fetched videos: RATE snapshots/s (new channels, VIDEOS each, as the Api hands them off)
# appended to the hand-off stream for DURATION seconds, then the drain. Prints, each second, the backlog (entries not
# yet persisted) and the rate persisted; at the end the sustained rate and the worst lag (backlog / rate persisted).
#   make benchmark-handoff                   (RATE=500 DURATION=20 VIDEOS=15)
# Everything targets 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-500}"
DURATION="${DURATION:-20}"
VIDEOS="${VIDEOS:-15}"
source scripts/apphost.sh
start_apphost
redis_port=$(ss -Hltnp | awk '/"redis-server"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
db_port=$(ss -Hltnp | awk '/"postgres"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
redis() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }
videos() { psql -h 127.0.0.1 -p "$db_port" -U postgres -qAt videosdb -c "SELECT count(*) FROM videos"; }

# One second's worth of XADDs as a redis-cli pipe: snapshots exactly as the Api writes them (channel n, VIDEOS videos),
# ids unique to this run (so that a run against a database that kept earlier data still measures real writes).
run_id=$(printf '%04x' $((RANDOM % 65536)))
batch() { # second
  awk -v second="$1" -v rate="$RATE" -v videos="$VIDEOS" -v now="$(date +%s%3N)" -v run="$run_id" 'BEGIN {
    for (i = 0; i < rate; i++) {
      n = second * rate + i; channel = sprintf("UC%s%018d", run, n)
      json = "{\"ChannelId\":\"" channel "\",\"Title\":\"Bench " n "\",\"Videos\":["
      for (v = 0; v < videos; v++) {
        json = json (v ? "," : "") sprintf("{\"VideoId\":\"%s%07d\",\"Title\":\"Video %d of %d\",\"PublishedAt\":\"2026-01-%02dT%02d:00:00Z\"}", run, n * videos + v, v, n, v % 28 + 1, v % 24)
      }
      json = json "],\"Source\":\"data-api\",\"FetchedAt\":\"2026-11-26T00:00:00Z\"}"
      printf "XADD videos:handoff * snapshot %s published %s traceparent \"\"\n", "'"'"'" json "'"'"'", now
    }
  }'
}

before=$(videos)
echo "Appending $RATE snapshots/s ($VIDEOS videos each) for $DURATION s, then draining..."
printf '%6s %10s %10s %14s\n' second appended backlog "persisted/s"
appended=0; worst=0; last=$before; second=0; started=$(date +%s.%N)
while :; do
  tick=$(date +%s.%N)
  if (( second < DURATION )); then
    batch "$second" | redis-cli -h 127.0.0.1 -p "$redis_port" >/dev/null
    appended=$(( appended + RATE ))
  fi
  backlog=$(redis XLEN videos:handoff)
  now=$(videos); persisted=$(( (now - last) / VIDEOS )); last=$now
  (( backlog > worst )) && worst=$backlog
  printf '%6d %10d %10d %14d\n' "$second" "$appended" "$backlog" "$persisted"
  second=$(( second + 1 ))
  (( second >= DURATION && backlog == 0 )) && break
  (( second > DURATION + 120 )) && { echo "still not drained after 120 s"; break; }
  sleep "$(awk -v t="$tick" -v n="$(date +%s.%N)" 'BEGIN {d = 1 - (n - t); print (d > 0 ? d : 0)}')"
done
elapsed=$(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN {print n - s}')
stored=$(( ($(videos) - before) / VIDEOS ))
awk -v a="$appended" -v s="$stored" -v e="$elapsed" -v w="$worst" -v r="$RATE" 'BEGIN {
  printf "\n%d snapshots appended, %d persisted (%d videos each) in %.1f s: %.0f snapshots/s sustained\n", a, s, '"$VIDEOS"', e, s / e
  printf "worst backlog %d entries = about %.1f s of lag at %d/s\n", w, w / r, r }'
