#!/usr/bin/env bash
# The Deno step of CI: `npm run test:deno` (deno.json), with the `deno` binary of the npm
# devDependency. It runs the domain and use-case tests and test/deno/bdd.test.ts with no
# permission at all, then test/mod.test.ts (the embeddable core) with read access to src/
# package.json and tsconfig.build.json only. The smoke test of src/main.ts under Deno (test/deno/smoke.test.ts)
# is a mocha test, so `make test` runs it; `npm run smoke:deno` runs it alone.
# Ends with mocha-style "N passing / N failing / N pending" lines and "Deno: N passed,
# N failed, N skipped"; exits non-zero when a test fails or Deno does not run.
set -uo pipefail
cd "$(dirname "$0")/.."
make install >/dev/null || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== $(node_modules/.bin/deno --version | head -n 1)"
NO_COLOR=1 DENO_NO_UPDATE_CHECK=1 npm run --silent test:deno 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Deno closes each run with "ok | 187 passed | 0 failed | 1 ignored (3s)" (or FAILED | …).
sum() { # sum WORD: the total of "N WORD" over Deno's summary lines
  grep -E '^(ok|FAILED) \|' "$log" | grep -Eo "[0-9]+ $1" | awk '{ n += $1 } END { print n + 0 }'
}
passed=$(sum passed); failed=$(sum failed); ignored=$(sum ignored)
# A test that called this.skip() counts as passed for Deno; test/support/deno_bdd.ts prints
# "skipped: <name>" for it, so move it to the skipped count.
skipped_at_run=$(grep -c '^skipped: ' "$log")
passed=$((passed - skipped_at_run)); skipped=$((ignored + skipped_at_run))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ $((passed + failed)) -eq 0 ]; then echo "Deno ran no test"; failed=1; status=1; fi

echo
echo "  $passed passing"
echo "  $failed failing"
echo "  $skipped pending"
echo "Deno: $passed passed, $failed failed, $skipped skipped"
exit "$status"
