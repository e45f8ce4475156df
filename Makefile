# The two commands a newcomer needs: `make run` and `make test`.
.PHONY: run test build benchmark benchmark-scale benchmark-db benchmark-handoff chaos stress-test deps clean-data

APPHOST := VideoAspire.AppHost
TESTS   := VideoAspire.Tests

deps:
	@./scripts/install-dependencies.sh

build:
	dotnet build VideoAspire.sln

## Starts Redis, PostgreSQL, the Api and the Worker under the Aspire AppHost (Ctrl+C stops everything).
run: deps
	@echo "API:       http://localhost:5080/videos?channel_id=UC0032Wkd3aCT4rRi1YOVc2d"
	@echo "Dashboard: http://localhost:15080"
	dotnet run --project $(APPHOST) --launch-profile http

## Builds and runs every test (unit and end-to-end against real Redis and PostgreSQL).
test: deps
	dotnet test $(TESTS) --logger "console;verbosity=normal"

## Starts the app, measures cached reads against a bare Kestrel baseline, prints ratios.
benchmark: deps
	./scripts/benchmark.sh

## One million channels x 20 videos (loaded once into .data/), the product under Zipf and uniform load, ratios vs bare Kestrel.
benchmark-scale: deps
	./scripts/benchmark-scale.sh

## Faults under load: Redis and the Worker killed, PostgreSQL paused, YouTube slow; then every video accounted for.
chaos: deps
	./scripts/chaos.sh

## How fast the Worker persists the hand-off: RATE snapshots/s for DURATION s, backlog each second.
benchmark-handoff: deps
	./scripts/benchmark-handoff.sh

## Loads 10 million videos into a throw-away PostgreSQL and shows the latest-five query stays an index seek.
benchmark-db: deps
	./scripts/benchmark-db.sh

## Bounded mixed load against a running instance (start `make run` first); prints throughput, percentiles, errors.
stress-test: deps
	./scripts/stress-test.sh

## Forgets the local Redis/PostgreSQL data (the demo data is loaded again on the next run).
clean-data:
	rm -rf .data
