# hexauth — the two commands a fresh clone needs: `make start` and `make test`.
# Both install dependencies first when node_modules is missing or older than the lockfile.

.PHONY: start test check install clean secrets up down test-integration

STAMP := node_modules/.hexauth-installed

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(STAMP)

start: install
	npm start

test: install
	npm test

check: install
	npm run check

# The compose stack's secrets in ./secrets (never committed): each written only when missing.
secrets:
	sh deploy/make_secrets.sh secrets

# The compose stack (app + MongoDB + Redis); needs a Docker engine.
up: secrets
	docker compose up -d --build --wait

down:
	docker compose down

# The image suite: builds the image and starts it with MongoDB and Redis (testcontainers).
test-integration: install
	npx mocha 'test/integration/**/*.test.ts'

clean:
	rm -rf node_modules dist
