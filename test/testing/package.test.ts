import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const run = promisify(execFile)
const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))

/** The environment of a plain `node`: no tsx loader inherited from this mocha run. */
function plainEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, ...env } = process.env
  return { ...env, NO_COLOR: '1' }
}

/** Runs `command` in `cwd` and resolves with its exit code and output, killed after `ms`. */
async function runIn(
  cwd: string,
  command: string,
  args: string[],
  ms: number,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  const [code] = await once(child, 'exit') as [number | null]
  clearTimeout(timer)
  return { code, output }
}

interface PackedFile {
  readonly path: string
}

// What a team gets from `npm install hexauth`: the package `npm pack` makes (its prepack
// build included), installed into test/fixtures/consumer, a package of another team's.
describe("The npm package and another team's tests against it", function () {
  this.timeout(300_000)
  const work = mkdtempSync(join(tmpdir(), 'hexauth-package-'))
  const consumer = join(work, 'consumer')
  let files: string[]

  before(async () => {
    // The real pack: `prepack` compiles dist/ first.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      env: plainEnv(),
      maxBuffer: 64 << 20,
    })
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
    const listed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      env: plainEnv(),
      maxBuffer: 64 << 20,
    })
    files = (JSON.parse(listed.stdout) as [{ files: PackedFile[] }])[0].files.map((file) => file.path)
    cpSync(resolve(root, 'test/fixtures/consumer'), consumer, { recursive: true })
    const pkg = JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8'))
    pkg.dependencies.hexauth = `file:${join(work, filename)}`
    writeFileSync(join(consumer, 'package.json'), JSON.stringify(pkg, null, 2))
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: consumer,
      env: plainEnv(),
      maxBuffer: 64 << 20,
    })
  })
  after(() => rmSync(work, { recursive: true, force: true }))

  it('ships the compiled JavaScript with declarations, bin/, the manifest and README, and no source, tests or benchmarks', () => {
    for (const entry of ['mod', 'testing', 'testcontainers', 'adapters/cli/main']) {
      expect(files).to.include.members([`dist/${entry}.js`, `dist/${entry}.d.ts`])
    }
    expect(files).to.include.members(['bin/hexauth.js', 'package.json', 'README.md'])
    const topLevel = new Set(files.map((path) => path.split('/')[0]))
    expect([...topLevel].sort()).to.deep.equal(['README.md', 'bin', 'dist', 'package.json'])
    expect(files.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).to.deep.equal([])
    expect(files.filter((path) => /\.test\.|fixtures|bench/.test(path))).to.deep.equal([])
  })

  it('maps every export to a packed file, with its types first', () => {
    const exports = manifest.exports as Record<string, string | { types: string; default: string }>
    expect(Object.keys(exports)).to.deep.equal(['.', './testing', './testcontainers', './package.json'])
    for (const [name, target] of Object.entries(exports)) {
      const paths = typeof target === 'string' ? [target] : [target.types, target.default]
      if (typeof target !== 'string') expect(Object.keys(target)[0], name).to.equal('types')
      for (const path of paths) expect(files, `${name} → ${path}`).to.include(path.replace(/^\.\//, ''))
    }
  })

  it("runs the other team's node:test suite on plain node (no tsx): admin token, GET /users, jose against jwksUrl; it exits by itself", async () => {
    const { code, output } = await runIn(consumer, process.execPath, ['--test', '--test-reporter=tap'], 120_000)
    expect(code, output).to.equal(0)
    expect(output).to.match(/^# pass 3$/m).and.match(/^# fail 0$/m)
  })

  it('runs the hexauth command from the compiled CLI', async () => {
    const { code, output } = await runIn(
      consumer,
      process.execPath,
      ['node_modules/hexauth/bin/hexauth.js', '--help'],
      60_000,
    )
    expect(code, output).to.equal(0)
    expect(output).to.match(/^Usage: hexauth <command>/)
  })

  it('gives the consumer what the kit needs and nothing more: no dev tooling, no testcontainers unless asked for', () => {
    const installed = (name: string) => existsSync(join(consumer, 'node_modules', name, 'package.json'))
    for (const name of Object.keys(manifest.dependencies)) expect(installed(name), name).to.equal(true)
    // A dev tool may still arrive as a dependency of a runtime dependency (bson, of mongoose): not a dev install.
    const lock = JSON.parse(readFileSync(join(consumer, 'node_modules/.package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: object }>
    }
    const required = new Set(
      Object.entries(lock.packages).filter(([path]) => path !== 'node_modules/hexauth')
        .flatMap(([, entry]) => Object.keys(entry.dependencies ?? {})),
    )
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => !required.has(name))
    expect(devOnly).to.include.members(['tsx', 'typescript', 'mocha', 'deno', 'testcontainers'])
    for (const name of devOnly) expect(installed(name), name).to.equal(false)
  })

  it('declares types a TypeScript consumer checks against (strict, the declarations resolved, not any)', async () => {
    const tsc = resolve(root, 'node_modules/typescript/bin/tsc')
    const { code, output } = await runIn(consumer, process.execPath, [tsc, '-p', 'tsconfig.json'], 120_000)
    expect(code, output).to.equal(0)
  })
})
