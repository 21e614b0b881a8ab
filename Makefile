# Appstore developer commands. The Temporal CLI version is pinned in one
# place, workflows/devserver/devserver.go; `install-tools` installs it.

.PHONY: dev test test-short tools browser bench bench-bundles bench-catalog bench-render lint sdk-test sdk-check

# Everything on this machine: Temporal dev server + UI, migrations, demo data, API, web, worker.
dev:
	go run ./cmd/appstore dev

# The full suite: the SDK's tests, then unit, PostgreSQL, Temporal dev server and browser tests.
test: tools browser sdk-test
	go test -count=1 -timeout 30m ./...

# Fast feedback: skips the dev-server and browser tests.
test-short:
	go test -short ./...

# The pinned Temporal CLI in ./bin (first run builds it: about 5 minutes).
tools:
	go run ./cmd/appstore install-tools

# Debian's Chromium for the browser tests.
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

bench:
	go test -run '^$$' -bench 'AuthMiddleware|SessionVerify' -benchmem -count 5 ./api

# Bundle upload vs io.Copy on the same disk, and an unchanged re-deploy (needs PostgreSQL).
bench-bundles:
	go test -run '^$$' -bench 'BundleUpload|RedeployUnchanged' -benchtime 10x -count 5 -v ./api

# Marketplace search over 10,000 published apps: p50/p99 of one first-page search (needs PostgreSQL).
bench-catalog:
	go test -run '^$$' -bench 'CatalogSearch' -benchtime 2000x -count 3 -v ./models/postgres

# The host renderer in Chromium: p50/p99 of a 1,000-node first render and of a one-node props update.
bench-render: browser
	go test -run '^$$' -bench 'Render' -benchtime 500x -count 3 ./web

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The SDK's own tests (node's test runner, after esbuild compiles them).
sdk-test:
	cd web/sdk && npm ci --no-audit --no-fund && npm test

# The committed runtime build (web/sdk/dist) is what the lockfile builds, byte for byte.
sdk-check:
	cd web/sdk && npm ci --no-audit --no-fund && npm run build
	git diff --exit-code --stat -- web/sdk/dist
	@test -z "$$(git status --porcelain -- web/sdk/dist)" || { git status --porcelain -- web/sdk/dist; echo "web/sdk/dist: files above are not committed"; exit 1; }
