#!/usr/bin/env node
// The `hexauth` command (package.json "bin"). Installed from npm, the package holds the
// compiled JavaScript (dist/, built by `prepack`) and no TypeScript: that runs on any Node.
// In a clone it runs the TypeScript source as it is: Node with built-in type stripping
// (>= 22.18) needs nothing more, older Node (20) loads tsx first (a devDependency, there
// after `npm ci`). In the image (Node 24) run `node src/adapters/cli/main.ts` directly.
import { existsSync } from 'node:fs'

const source = new URL('../src/adapters/cli/main.ts', import.meta.url)
if (!existsSync(source)) {
  await import('../dist/adapters/cli/main.js')
} else {
  if (!process.features.typescript) {
    const { register } = await import('tsx/esm/api')
    register()
  }
  await import(source.href)
}
