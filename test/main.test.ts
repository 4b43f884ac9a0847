import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Started {
  readonly child: ChildProcess
  readonly output: () => string
}

function startMain(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  return { child, output: () => output }
}

async function waitFor(started: Started, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 200; i++) {
    const match = started.output().match(pattern)
    if (match !== null) return match
    if (started.child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`never printed ${pattern}; output:\n${started.output()}`)
}

describe('main', () => {
  it('serves on the configured port and warns that memory stores persist nothing', async () => {
    const started = startMain({})
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(health.status).to.equal(200)
      expect(started.output()).to.match(/in-memory stores/)
      expect(started.output()).to.match(/JWT_SECRET is not set/)
    } finally {
      started.child.kill('SIGTERM')
      await once(started.child, 'exit')
    }
  })

  it('exits on SIGTERM with status 0', async () => {
    const started = startMain({ JWT_SECRET: 'a-perfectly-random-looking-secret-Zq8xW2pL0vN7' })
    await waitFor(started, /listening on/)
    started.child.kill('SIGTERM')
    const [code] = await once(started.child, 'exit')
    expect(code).to.equal(0)
    expect(started.output()).to.not.match(/JWT_SECRET is not set/)
  })

  it('refuses to start with a published default JWT_SECRET, naming the variable', async () => {
    const started = startMain({ JWT_SECRET: 'jwt-secret-string' })
    const [code] = await once(started.child, 'exit')
    expect(code).to.equal(78)
    expect(started.output()).to.match(/Invalid configuration: JWT_SECRET/)
    expect(started.output()).to.not.match(/listening/)
  })
})

/** Waits until the server reports `count` requests in flight besides the one asking. */
async function untilInFlight(base: string, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const text = await (await fetch(`${base}/metrics`)).text()
    const running = Number(/^hexauth_http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0)
    if (running - 1 >= count) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`fewer than ${count} requests ever in flight`)
}

describe('main: graceful shutdown', () => {
  it('finishes requests in flight on SIGTERM, refuses new connections, then exits 0', async function () {
    this.timeout(30_000)
    // Costly hashing makes each registration take a while: they are in flight at SIGTERM.
    const started = startMain({ ARGON2_MEMORY_KIB: '131072', ARGON2_TIME_COST: '3', SHUTDOWN_TIMEOUT: '20s', RATE_LIMIT: 'off' })
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const base = `http://127.0.0.1:${port}`
      const inFlight = Array.from({ length: 4 }, (_, i) => fetch(`${base}/registration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `slow-${i}`, password: 'correct horse battery' }),
      }))
      await untilInFlight(base, 4) // all four are being handled: SIGTERM lands in the middle of them
      started.child.kill('SIGTERM')
      await waitFor(started, /Shutting down/)
      const refused = await fetch(`${base}/healthz`).then(() => 'answered', () => 'refused')
      const statuses = await Promise.all(inFlight.map(async (request) => (await request).status))
      const [code] = await once(started.child, 'exit')
      expect(statuses).to.deep.equal([201, 201, 201, 201])
      expect(refused).to.equal('refused')
      expect(code).to.equal(0)
      expect(started.output()).to.match(/"msg":"Stopped"/)
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL')
    }
  })

  it('closes connections still busy when SHUTDOWN_TIMEOUT runs out', async function () {
    this.timeout(30_000)
    const started = startMain({ ARGON2_MEMORY_KIB: '262144', ARGON2_TIME_COST: '8', SHUTDOWN_TIMEOUT: '0', RATE_LIMIT: 'off' })
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const slow = fetch(`http://127.0.0.1:${port}/registration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'very-slow', password: 'correct horse battery' }),
      }).then((r) => r.status, () => 'dropped')
      await untilInFlight(`http://127.0.0.1:${port}`, 1)
      started.child.kill('SIGTERM')
      const [code] = await once(started.child, 'exit')
      expect(await slow).to.equal('dropped')
      expect(code).to.equal(0)
      expect(started.output()).to.match(/Shutdown timeout reached/)
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL')
    }
  })
})
