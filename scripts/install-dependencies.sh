#!/usr/bin/env bash
# Installs what the AppHost needs to run Redis and PostgreSQL itself when no container runtime is available.
# With a running Docker/Podman engine, or with ConnectionStrings__cache and ConnectionStrings__videosdb set, it does nothing.
set -euo pipefail

if [[ -n "${ConnectionStrings__cache:-}" && -n "${ConnectionStrings__videosdb:-}" ]]; then
  echo "Using existing Redis and PostgreSQL from ConnectionStrings__cache / ConnectionStrings__videosdb."
  exit 0
fi

runtime="${ASPIRE_CONTAINER_RUNTIME:-${DOTNET_ASPIRE_CONTAINER_RUNTIME:-docker}}"
if command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1; then
  echo "Container runtime '$runtime' is running: Redis and PostgreSQL will run as containers."
  exit 0
fi

packages=()
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || packages+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || packages+=(postgresql)
# wrk drives `make benchmark`.
command -v wrk >/dev/null 2>&1 || packages+=(wrk)

if (( ${#packages[@]} == 0 )); then
  echo "No container runtime; redis-server and PostgreSQL are installed and will run as local processes."
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "No container runtime: installing ${packages[*]} (Debian packages) so the AppHost can run them locally."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# The packages start system-wide services; the AppHost runs its own instances on free ports instead.
$sudo service redis-server stop >/dev/null 2>&1 || true
$sudo service postgresql stop >/dev/null 2>&1 || true
