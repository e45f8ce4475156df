# Sourced by the benchmark scripts: a scratch folder removed on exit, background processes stopped on exit, and the
# product started the way users run it (the AppHost, Release, no dashboard, a fresh data directory).
PROXY="http://127.0.0.1:5080"   # the AppHost's development proxy in front of the Api
work="$(mktemp -d)"
chmod 755 "$work" # PostgreSQL runs as the postgres user when we are root: it must reach its data folder
pids=()

cleanup() {
  # Only in the shell that started everything: a subshell (a progress ticker being stopped) has been seen to run
  # this trap mid-run, which stopped the product and removed the scratch folder under a running phase.
  [[ $BASHPID == "$$" ]] || return 0
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_apphost() { # [extra AppHost settings...]
  echo "Building (Release)..."
  dotnet build -c Release VideoAspire.sln -v quiet -nologo >/dev/null

  echo "Starting the AppHost (no dashboard, fresh data directory)..."
  # --no-dashboard last: a switch without a value takes the next argument as its value.
  dotnet run -c Release --no-build --project VideoAspire.AppHost --launch-profile http -- \
    "Infrastructure:DataDirectory=$work/data" "$@" --no-dashboard >"$work/apphost.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 180); do
    [[ "$(curl -s "$PROXY/health" || true)" == "Healthy" ]] && break
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 1
  done
  [[ "$(curl -s "$PROXY/health" || true)" == "Healthy" ]] || { echo "Api did not become healthy; log:"; tail -50 "$work/apphost.log"; exit 1; }
}
