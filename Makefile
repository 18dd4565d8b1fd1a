# IOC — the two commands: `make run` and `make test`.
.PHONY: run test build test-sqlite bench bench-field-reports bench-wall bench-live clean

run:
	scripts/run.sh

test:
	scripts/test.sh

build:
	swift build

test-sqlite: build
	swift build --build-tests && swift test --skip-build

# Figures for the issues' performance goals (release build, throwaway SQLite file; set DATABASE_URL for PostgreSQL).
bench:
	swift build -c release --product ioc --scratch-path .build-release
	d=$$(mktemp -d) && IOC_DATA_DIR=$$d .build-release/release/ioc bench public-services --dossiers $${DOSSIERS:-1000000}; rm -rf $$d
	d=$$(mktemp -d) && IOC_DATA_DIR=$$d .build-release/release/ioc bench indicators --indicators $${INDICATORS:-300} --years $${YEARS:-10}; rm -rf $$d
	d=$$(mktemp -d) && IOC_DATA_DIR=$$d .build-release/release/ioc bench observations --values $${VALUES:-500000}; rm -rf $$d

bench-field-reports:
	scripts/bench-field-reports.sh

bench-wall:
	scripts/bench-wall.sh

bench-live:
	scripts/bench-live.sh

clean:
	rm -rf .build data test-artifacts
