# Sourced by the long-running scripts: while a command runs, how long it has run of how long it will, on stderr
# (one line rewritten each second on a terminal; a line every 10 s in a log).

seconds_of() { # 20s | 2m | 1h | 30 -> seconds
  local value=$1
  case "$value" in
    *h) echo $(( ${value%h} * 3600 )) ;;
    *m) echo $(( ${value%m} * 60 )) ;;
    *s) echo "${value%s}" ;;
    *) echo "$value" ;;
  esac
}

with_progress() { # label total-seconds command [args...] -- the command's stdout and exit status pass through
  local label=$1 total=$2
  shift 2
  (
    start=$SECONDS
    while sleep 1; do
      elapsed=$(( SECONDS - start ))
      if [[ -t 2 ]]; then
        printf '\r    %s: %d/%s s ' "$label" "$elapsed" "$total" >&2
      elif (( elapsed % 10 == 0 )); then
        printf '    %s: %d/%s s\n' "$label" "$elapsed" "$total" >&2
      fi
    done
  ) &
  local ticker=$! status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  [[ -t 2 ]] && printf '\r\033[K' >&2
  return "$status"
}
