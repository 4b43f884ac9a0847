import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { CONFIG_VARIABLES } from '../../src/adapters/config.ts'
import { SECRET_FILE_VARIABLES } from '../../src/adapters/secret_files.ts'
import { denoBinary } from '../support/deno_binary.ts'
import { freePort } from '../support/redis_server.ts'
import { requireOrSkip } from '../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** Every variable hexauth reads: its configuration, and a `<NAME>_FILE` for each secret. */
const VARIABLES = [...CONFIG_VARIABLES, ...SECRET_FILE_VARIABLES.map((name) => `${name}_FILE`)]

/**
 * The narrowest permissions `deno run src/main.ts` starts with (memory stores), each for a
 * reason found by running it without: anything less stops it with `NotCapable`.
 */
function denoPermissions(port: number): string[] {
  // Where node-gyp-build finds the argon2 addon: built on install, else a prebuild.
  const built = 'node_modules/argon2/build/Release'
  const addon = existsSync(resolve(root, built, 'argon2.node'))
    ? `${built}/argon2.node`
    : 'node_modules/argon2/prebuilds'
  const addonDir = addon.endsWith('.node') ? built : addon
  return [
    // Listen on this loopback port, nothing else.
    `--allow-net=127.0.0.1:${port}`,
    // hexauth reads its configuration only; any other variable (libraries probe DEBUG,
    // NODE_ENV, and the debug package lists them all) reads as unset instead of failing.
    `--allow-env=${VARIABLES.join(',')}`,
    '--ignore-env',
    // node-gyp-build lists the addon's folder and checks for Alpine (musl) before loading it.
    `--allow-read=${addonDir},/etc/alpine-release`,
    // argon2 is a Node-API addon: loading it is FFI.
    `--allow-ffi=${addon}`,
    // pino reads os.hostname() when imported.
    '--allow-sys=hostname',
    '--no-prompt',
  ]
}

describe('src/main.ts under Deno', function () {
  const deno = denoBinary()
  let child: ChildProcess | undefined
  let base = ''
  let output = ''

  before(async function () {
    requireOrSkip(
      this,
      'deno',
      deno !== undefined,
      'no deno binary (npm install brings one with the deno devDependency, or put deno on PATH)',
    )
    this.timeout(60_000)
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    const args = ['run', ...denoPermissions(port), 'src/main.ts']
    console.log(`    ${deno} ${args.join(' ')}`)
    // Only the variables this test means: a REDIS_URL or MONGO_URL of the caller's would need more permissions.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !VARIABLES.includes(name)))
    child = spawn(deno!, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...env,
        NO_COLOR: '1',
        DENO_NO_UPDATE_CHECK: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    })
    child.stdout!.on('data', (chunk) => {
      output += chunk
    })
    child.stderr!.on('data', (chunk) => {
      output += chunk
    })
    for (let i = 0; i < 400 && child.exitCode === null; i++) {
      if (await fetch(`${base}/healthz`).then(() => true, () => false)) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`deno run src/main.ts did not start:\n${output}`)
  })

  after(() => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  it('answers GET /healthz with 200 {"status": "ok"}', async () => {
    const response = await fetch(`${base}/healthz`)
    expect(response.status).to.equal(200)
    expect(await response.json()).to.deep.equal({ status: 'ok' })
  })

  it('registers a user: argon2 hashes through Node-API under Deno', async () => {
    const response = await fetch(`${base}/registration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery' }),
    })
    expect(response.status, await response.clone().text()).to.equal(201)
    expect((await response.json()).access_token).to.be.a('string')
  })

  it('shuts down on SIGTERM with exit code 0, having asked for no other permission', async function () {
    this.timeout(20_000)
    const exited = once(child!, 'exit')
    child!.kill('SIGTERM')
    const [code] = await exited
    expect(code, output).to.equal(0)
    expect(output).not.to.match(/NotCapable|PermissionDenied/)
    expect(output).to.include('Shutting down')
  })
})
