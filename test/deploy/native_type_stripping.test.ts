import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { call } from '../support/http_harness.ts'
import { requireOrSkip } from '../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const bin = process.env.NODE_TYPE_STRIPPING_BIN

// The image runs `node src/main.ts` on Node 24 with no build step. This runs the same command
// with a Node 24 binary when one is given (.ci/run fetches one from the npm registry).
describe("src/main.ts under Node's native type stripping (the image's run mode)", function () {
  it('serves /healthz and registers a user with no TypeScript tooling loaded', async function () {
    requireOrSkip(
      this,
      'node24',
      bin !== undefined && bin !== '',
      'set NODE_TYPE_STRIPPING_BIN to a Node >= 22.18 binary to run it',
    )
    const child = spawn(bin!, ['--disable-warning=ExperimentalWarning', 'src/main.ts'], {
      cwd: root,
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
  })
})
