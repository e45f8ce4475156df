#!/usr/bin/env bash
# Installs what a make target needs that a fresh Debian machine lacks; elsewhere (macOS, no apt) it says what to
# install instead. Usage: install-dependencies.sh run|test|benchmark
# - run:       redis-server and postgresql, only when the AppHost will run them itself (no container runtime and no
#              ConnectionStrings__cache / ConnectionStrings__videosdb pointing at existing servers);
# - test:      run's, plus promtool (checks the Prometheus alert rules), kubectl (renders the Kubernetes manifests),
#              Node.js and the OpenAPI tools in openapi/ (Spectral, Redocly, Portman, Newman: npm ci);
# - benchmark: run's, plus wrk (load generator) and the Redis and PostgreSQL command-line tools.
set -euo pipefail
purpose="${1:-run}"
cd "$(dirname "$0")/.."

packages=()   # Debian packages: the target fails without them
optional=()   # Debian packages some releases lack: installed when the configured repositories have them
commands=()   # what to tell a machine without apt to install

need() { # command debian-package
  command -v "$1" >/dev/null 2>&1 && return
  packages+=("$2"); commands+=("$1")
}

runtime="${ASPIRE_CONTAINER_RUNTIME:-${DOTNET_ASPIRE_CONTAINER_RUNTIME:-docker}}"
if [[ -n "${ConnectionStrings__cache:-}" && -n "${ConnectionStrings__videosdb:-}" ]]; then
  echo "Using existing Redis and PostgreSQL from ConnectionStrings__cache / ConnectionStrings__videosdb."
elif command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1; then
  echo "Container runtime '$runtime' is running: Redis and PostgreSQL will run as containers."
else
  command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || { packages+=(redis-server); commands+=(redis-server); }
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null 2>&1 \
    || { packages+=(postgresql); commands+=(postgresql); }
  echo "No container runtime: the AppHost runs redis-server and PostgreSQL as local processes."
fi

case "$purpose" in
  run) ;;
  test)
    need promtool prometheus
    need node nodejs
    need npm npm
    command -v kubectl >/dev/null 2>&1 || optional+=(kubectl)
    ;;
  benchmark)
    need wrk wrk
    need redis-benchmark redis-tools
    need pgbench postgresql
    ;;
  *) echo "usage: $0 run|test|benchmark" >&2; exit 2 ;;
esac

if (( ${#packages[@]} + ${#optional[@]} > 0 )); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Not a Debian/Ubuntu machine: install these yourself (e.g. with Homebrew), or run Docker: ${commands[*]} ${optional[*]}"
    echo "(Redis and PostgreSQL are only needed without a container runtime.)"
  else
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
  fi
fi

# The OpenAPI tools, pinned by openapi/package-lock.json; installed again only when the lock file changes.
if [[ "$purpose" == test ]] && command -v npm >/dev/null 2>&1; then
  if ! cmp -s openapi/package-lock.json openapi/node_modules/.installed-from-lock; then
    echo "Installing the OpenAPI tools (npm ci in openapi/)..."
    npm ci --prefix openapi --no-audit --no-fund --loglevel=error
    cp openapi/package-lock.json openapi/node_modules/.installed-from-lock
  fi
fi
