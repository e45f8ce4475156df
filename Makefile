# The two commands a newcomer needs: `make run` and `make test`.
.PHONY: run test test-fast build openapi benchmark benchmark-scale benchmark-db benchmark-handoff benchmark-notify chaos stress-test deps deps-test deps-benchmark clean-data

APPHOST := VideoAspire.AppHost
TESTS   := VideoAspire.Tests

## What each target needs that this machine lacks (Debian: installed; elsewhere: named).
deps:
	@./scripts/install-dependencies.sh run
deps-test:
	@./scripts/install-dependencies.sh test
deps-benchmark:
	@./scripts/install-dependencies.sh benchmark

build:
	dotnet build VideoAspire.sln

## Starts Redis, PostgreSQL, the Api and the Worker under the Aspire AppHost (Ctrl+C stops everything).
run: deps
	@echo "API:       http://localhost:5080/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2d"
	@echo "Dashboard: http://localhost:15080"
	dotnet run --project $(APPHOST) --launch-profile http

## Checks formatting, builds and runs every test: unit, integration (one real Redis or PostgreSQL), architecture,
## the external-tool checks (promtool, kubectl, OpenAPI lint) and end to end (the whole AppHost).
test: deps-test
	dotnet format VideoAspire.sln --verify-no-changes
	dotnet test $(TESTS) --logger "console;verbosity=normal"

## The tier without the AppHost and without external tools: under a minute.
test-fast: deps
	dotnet test $(TESTS) --filter "Category!=EndToEnd&Category!=Tools"

## Writes the Api's OpenAPI document (generated at build time) to openapi/, where it is committed; a test fails until it is.
openapi:
	dotnet build VideoAspire.Api
	cp VideoAspire.Api/obj/VideoAspire.Api.json openapi/VideoAspire.Api.json

## Starts the app, measures cached reads against a bare Kestrel baseline, prints ratios.
benchmark: deps-benchmark
	./scripts/benchmark.sh

## One million channels x 20 videos (loaded once into .data/), the product under Zipf and uniform load, ratios vs bare Kestrel.
benchmark-scale: deps-benchmark
	./scripts/benchmark-scale.sh

## Faults under load: Redis and the Worker killed, PostgreSQL paused, YouTube slow; then every video accounted for.
chaos: deps-benchmark
	./scripts/chaos.sh

## How fast the Worker persists the hand-off: RATE snapshots/s for DURATION s, backlog each second.
benchmark-handoff: deps-benchmark
	./scripts/benchmark-handoff.sh

## Webhooks: 100,000 subscriptions over 10,000 channels to a local sink; deliveries/s and commit-to-receipt p50/p99.
benchmark-notify: deps-benchmark
	./scripts/benchmark-notify.sh

## Loads 10 million videos into a throw-away PostgreSQL and shows the latest-five query stays an index seek.
benchmark-db: deps-benchmark
	./scripts/benchmark-db.sh

## Simulated users (USERS, SPAWN_RATE, DURATION) against a running instance (`make run` first): live view, HTML report.
stress-test:
	./scripts/stress-test.sh

## Forgets the local Redis/PostgreSQL data (the demo data is loaded again on the next run).
clean-data:
	rm -rf .data
