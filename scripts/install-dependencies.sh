#!/usr/bin/env bash
# Installs what `make run`, `make test` and `make stress-test` need that a fresh Debian machine lacks:
# - redis-server and postgresql, only when the AppHost will run them itself (no container runtime and no
#   ConnectionStrings__cache / ConnectionStrings__videosdb pointing at existing servers);
# - wrk (load generator), promtool (checks the Prometheus alert rules) and kubectl (renders the Kubernetes manifests),
#   always.
set -euo pipefail

packages=()
command -v wrk >/dev/null 2>&1 || packages+=(wrk)
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
optional=()
# kubectl renders deploy/kubernetes (offline) in the tests. Not every Debian release ships it: installed when the
# configured repositories have it, else its test says how to get it.
command -v kubectl >/dev/null 2>&1 || optional+=(kubectl)

runtime="${ASPIRE_CONTAINER_RUNTIME:-${DOTNET_ASPIRE_CONTAINER_RUNTIME:-docker}}"
if [[ -n "${ConnectionStrings__cache:-}" && -n "${ConnectionStrings__videosdb:-}" ]]; then
  echo "Using existing Redis and PostgreSQL from ConnectionStrings__cache / ConnectionStrings__videosdb."
elif command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1; then
  echo "Container runtime '$runtime' is running: Redis and PostgreSQL will run as containers."
else
  command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || packages+=(redis-server)
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || packages+=(postgresql)
  echo "No container runtime: the AppHost runs redis-server and PostgreSQL as local processes."
fi

if (( ${#packages[@]} + ${#optional[@]} == 0 )); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "Installing ${packages[*]} ${optional[*]} (Debian packages)..."
$sudo apt-get update -qq
if (( ${#packages[@]} > 0 )); then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
for package in "${optional[@]}"; do
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 \
    || echo "Debian package $package is not available from the configured repositories: install it another way."
done
# The packages may start system-wide services; the AppHost runs its own instances on free ports instead.
for service in redis-server postgresql prometheus; do
  $sudo service "$service" stop >/dev/null 2>&1 || true
done
