# IOC — the two commands: `make run` and `make test`.
.PHONY: run test build test-sqlite test-postgres e2e clean

run:
	scripts/run.sh

test:
	scripts/test.sh

build:
	swift build

test-sqlite: build
	swift build --build-tests && swift test --skip-build

clean:
	rm -rf .build data test-artifacts
