#!/usr/bin/env node
// The `hexauth` command (package.json "bin"): runs the TypeScript source as it is. Node with
// built-in type stripping (>= 22.18) needs nothing more; older Node (20) loads tsx first,
// a devDependency, so this launcher works from a clone after `npm ci`. In the image (Node 24,
// production dependencies only) run `node src/adapters/cli/main.ts` directly.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import('../src/adapters/cli/main.ts')
