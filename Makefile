# hexauth — the two commands a fresh clone needs: `make start` and `make test`.
# Both install dependencies first when node_modules is missing or older than the lockfile.

.PHONY: start test check install clean

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

clean:
	rm -rf node_modules
