import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

/** The deno binary of the `deno` npm package (a devDependency), else one on PATH. */
export function denoBinary(): string | undefined {
  try {
    const api = createRequire(import.meta.url)('deno/install_api.cjs') as { runInstall(): string }
    return api.runInstall()
  } catch {
    return spawnSync('deno', ['--version'], { stdio: 'ignore' }).status === 0 ? 'deno' : undefined
  }
}
