#!/usr/bin/env bash
# Measures the cached read path against bare Kestrel on the same machine, in the same run, and prints ratios.
#   make benchmark                 (DURATION=10s CONNECTIONS=32 by default)
# Everything targets 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
BASELINE="http://127.0.0.1:5199"
CHANNEL="UC0032Wkd3aCT4rRi1YOVc2d"
HANDLE="@kitchennotes" # the same demo channel, by its handle
source scripts/apphost.sh
source scripts/progress.sh
start_apphost
# Measure Kestrel itself, as the baseline is: bypass the development proxy and talk to the Api's own port.
api_port=$(ss -Hltnp | awk '/"VideoAspire.Api"/ && $4 ~ /^127\.0\.0\.1:/ {split($4, a, ":"); print a[2]; exit}')
[[ -n "$api_port" ]] || { echo "Cannot find the Api's own port (ss -ltnp)"; exit 1; }
API="http://127.0.0.1:$api_port"

# Latency of single requests as a caller sees them (curl, milliseconds).
ms() { curl -s -o "$1" -w '%{time_total}' "$2" | awk '{printf "%.2f", $1 * 1000}'; }
first=$(ms "$work/body.json" "$API/videos?channel_id=$CHANNEL")         # first request of the process (JIT, pools)
cold=$(ms /dev/null "$API/videos?channel_id=UC6qq5ZRn_epjgdKwtgmeSd3")   # Redis miss -> PostgreSQL -> fill Redis
warm_samples=()
for _ in $(seq 1 21); do warm_samples+=("$(ms /dev/null "$API/videos?channel_id=$CHANNEL")"); done
warm=$(printf '%s\n' "${warm_samples[@]}" | sort -n | sed -n 11p)          # median of 21, output-cache hits

dotnet benchmarks/VideoAspire.Baseline/bin/Release/net10.0/VideoAspire.Baseline.dll --body "$work/body.json" \
  --urls "$BASELINE" >"$work/baseline.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 30); do curl -sf -o /dev/null "$BASELINE/videos" && break; sleep 0.5; done

# The handle resolved and its answer cached (a channel's answer enters the memory level on its second read).
for _ in 1 2 3; do curl -sf -o /dev/null "$API/videos?handle=$HANDLE" || { echo "The read by handle fails"; exit 1; }; done
# Warm up the channels the rotating run reads, so it measures cached reads too.
while read -r id; do curl -s -o /dev/null "$API/videos?channel_id=$id"; done < benchmarks/channels.txt

run() { # label url [wrk args...] -> "rps p50 p99 errors"
  local out
  out=$(with_progress "$1" "$(seconds_of "$DURATION")" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${@:3}" "$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {s = s $0 "; "} END {print (s == "" ? "0" : s)}' <<<"$out")
  echo "$rps $p50 $p99 $errors"
}

echo "Measuring: wrk -t1 -c$CONNECTIONS -d$DURATION on $(nproc) cores..."
read -r b_rps b_p50 b_p99 b_err <<<"$(run baseline "$BASELINE/videos")"
# By id and by handle in turns, three rounds: this machine drifts by 10-20 % over seconds, so the ratio is the median
# of three measured side by side, and each row shows its median round.
ratios=()
for round in 1 2 3; do
  read -r c_rps c_p50 c_p99 c_err <<<"$(run "one cached channel ($round/3)" "$API/videos?channel_id=$CHANNEL")"
  read -r h_rps h_p50 h_p99 h_err <<<"$(run "the same channel by handle ($round/3)" "$API/videos?handle=$HANDLE")"
  ratios+=("$(awk -v a="$h_rps" -v b="$c_rps" 'BEGIN {printf "%.2f", a / b}') $c_rps $c_p50 $c_p99 $c_err $h_rps $h_p50 $h_p99 $h_err")
done
read -r handle_ratio c_rps c_p50 c_p99 c_err h_rps h_p50 h_p99 h_err <<<"$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)"
read -r r_rps r_p50 r_p99 r_err <<<"$(run "400 channels rotating" "$API/" -s benchmarks/rotate-channels.lua)"
read -r p_rps p_p50 p_p99 p_err <<<"$(run "through the AppHost proxy" "$PROXY/videos?channel_id=$CHANNEL")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "Single requests (curl): first request after start ${first} ms; uncached read (PostgreSQL) ${cold} ms;"
echo "                        cached read ${warm} ms (median of 21)"
echo
printf '%-44s %12s %9s %9s %14s  %s\n' "scenario" "requests/s" "p50" "p99" "cost vs base" "errors"
printf '%-44s %12s %9s %9s %14s  %s\n' "bare Kestrel, constant body (baseline)" "$b_rps" "$b_p50" "$b_p99" "1.00x" "$b_err"
printf '%-44s %12s %9s %9s %14s  %s\n' "GET /videos, one channel (output cache)" "$c_rps" "$c_p50" "$c_p99" "$(ratio "$b_rps" "$c_rps")x" "$c_err"
printf '%-44s %12s %9s %9s %14s  %s\n' "GET /videos, the same channel by handle" "$h_rps" "$h_p50" "$h_p99" "$(ratio "$b_rps" "$h_rps")x" "$h_err"
printf '%-44s %12s %9s %9s %14s  %s\n' "GET /videos, 400 channels rotating" "$r_rps" "$r_p50" "$r_p99" "$(ratio "$b_rps" "$r_rps")x" "$r_err"
printf '%-44s %12s %9s %9s %14s  %s\n' "GET /videos, one channel, via dev proxy" "$p_rps" "$p_p50" "$p_p99" "$(ratio "$b_rps" "$p_rps")x" "$p_err"
echo
echo "cost vs base = baseline requests/s divided by scenario requests/s (target: cached read <= 2x)."
echo "read by handle / read by id (cached, same channel, median of 3 rounds side by side): ${handle_ratio}x (target >= 0.9x;"
echo "  rounds: $(printf '%s\n' "${ratios[@]}" | awk '{printf "%s%sx", (NR > 1 ? ", " : ""), $1}'))"
