// Preloaded by `npm run mutate` (NODE_OPTIONS=--require): @stryker-mutator/mocha-runner 10.1
// requires Mocha's CLI internals without an extension (`mocha/lib/cli/run-helpers`), and
// Mocha 12 renamed them `.cjs`, so the plugin fails to load. Until stryker-js PR #6205 ships,
// an extensionless require of a file under mocha/lib/cli also tries `.cjs`.
const Module = require('node:module')
const resolve = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  try {
    return resolve.call(this, request, ...rest)
  } catch (error) {
    if (/[\\/]mocha[\\/]lib[\\/]cli[\\/][\w-]+$/.test(request)) return resolve.call(this, `${request}.cjs`, ...rest)
    throw error
  }
}
