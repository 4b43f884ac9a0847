import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import type Mocha from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { RESYNC_WORKER_FROM, resyncsInWorkerOn } from '../../src/adapters/redis/scan_worker.ts'
import { keyBuilder } from '../../src/adapters/redis/revocation_store.ts'
import { call } from '../support/http_harness.ts'
import { buildImageApp } from '../support/image_app.ts'
import { freePort, LocalRedis, redisServerOnPath } from '../support/redis_server.ts'
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

  it('resyncs its revocation feed in a worker thread (Node 24 on), loading what Redis held before it started', async function () {
    requireNode24(this)
    requireOrSkip(this, 'redis-server', redisServerOnPath(), 'needs a redis-server binary on PATH')
    const redis = new LocalRedis(await freePort())
    await redis.start()
    const admin = new Redis(redis.url)
    try {
      const prefix = `strip:${crypto.randomUUID()}:`
      for (let i = 0; i < 1500; i++) await admin.set(`${prefix}revoked:jti:${i}`, '0', 'EX', 600)
      // The sequence a long-lived blocklist leaves: from it on, the resync reads in the worker.
      await admin.set(keyBuilder(prefix).sequence, String(RESYNC_WORKER_FROM))
      const run = spawnSync(bin!, ['--disable-warning=ExperimentalWarning', 'test/fixtures/feed_resync.ts'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.status, run.stderr).to.equal(0)
      const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
        node: string
        live: boolean
        inWorker: boolean
        entries: number
      }
      expect(seen).to.deep.equal({ node: seen.node, live: true, inWorker: resyncsInWorkerOn(seen.node), entries: 1500 })
    } finally {
      admin.disconnect()
      await redis.stop()
    }
  })
})
