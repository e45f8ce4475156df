#!/usr/bin/env bash
# Simulated users against a running instance (`make run` in another terminal), ramped at a spawn rate, with a live view
# and an HTML report at the end. Loopback only by default; stops by itself after DURATION.
#   make stress-test [USERS=100] [SPAWN_RATE=10] [DURATION=1m] [THINK_TIME=500ms] [URL=http://127.0.0.1:5080]
#                    [WRITE_TOKEN=<token with videos:write>] [READ_TOKEN=…]   (or the same as flags: --users 200 …)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -v q -nologo benchmarks/VideoAspire.StressTest >/dev/null
exec dotnet benchmarks/VideoAspire.StressTest/bin/Release/net10.0/VideoAspire.StressTest.dll "$@"
