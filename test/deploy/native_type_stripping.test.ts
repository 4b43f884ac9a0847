import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import type Mocha from 'mocha'
import { expect } from 'chai'
import { call } from '../support/http_harness.ts'
import { buildImageApp } from '../support/image_app.ts'
import { requireOrSkip } from '../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const bin = process.env.NODE_TYPE_STRIPPING_BIN

/**
 * Starts `args` with the Node 24 binary in `cwd`, then checks it serves `/healthz` and
 * registers a user.
 */
async function servesAndRegisters(args: readonly string[], cwd: string): Promise<void> {
  const child = spawn(bin!, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  try {
    let port: string | undefined
    for (let i = 0; i < 200 && port === undefined && child.exitCode === null; i++) {
      port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
      if (port === undefined) await new Promise((r) => setTimeout(r, 50))
    }
    expect(port, output).to.be.a('string')
    const base = `http://127.0.0.1:${port}`
    expect((await call(base, '/healthz')).status).to.equal(200)
    const registered = await call(base, '/registration', {
      json: { username: 'stripped', password: 'long enough pw' },
    })
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201)
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

// The image compiles src/ to dist/ and runs `node dist/main.js` on Node 24; Node 24 also runs
// src/main.ts as it is (type stripping). Both run here with a Node 24 binary when one is given
// (.ci/run fetches one from the npm registry).
describe("hexauth on Node 24: the image's compiled files, and the source under type stripping", function () {
  this.timeout(120_000)
  const requireNode24 = (test: Mocha.Context) =>
    requireOrSkip(
      test,
      'node24',
      bin !== undefined && bin !== '',
      'set NODE_TYPE_STRIPPING_BIN to a Node >= 22.18 binary to run it',
    )

  it("serves /healthz and registers a user with the image's command, in a directory laid out as its /app", async function () {
    requireNode24(this)
    const app = buildImageApp()
    try {
      const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync(resolve(root, 'Dockerfile'), 'utf8'))![1]!) as string[]
      expect(cmd[0]).to.equal('node')
      await servesAndRegisters(cmd.slice(1), app.dir)
    } finally {
      app.remove()
    }
  })

  it('serves /healthz and registers a user from src/main.ts with no TypeScript tooling loaded', async function () {
    requireNode24(this)
    await servesAndRegisters(['--disable-warning=ExperimentalWarning', 'src/main.ts'], root)
  })
})
