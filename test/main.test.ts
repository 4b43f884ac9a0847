import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { decodeProtectedHeader } from 'jose'
import { MongoConnection } from '../src/adapters/mongo/mongo_connection.ts'
import { type FakeMongo, startFakeMongo } from './support/fake_mongo.ts'
import { isolatedMongoUrl } from './support/http_harness.ts'
import { privateJwk } from './support/key_stores.ts'

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
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
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
  it('serves on the configured port with an ES256 key of its own, and warns that memory stores (keys included) persist nothing', async () => {
    const started = startMain({})
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(health.status).to.equal(200)
      expect(started.output()).to.match(/in-memory stores: users, items, signing keys, revocations are lost at restart/)
      expect(started.output()).to.not.match(/JWT_SECRET/)
      const jwks = await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json() as {
        keys: { alg: string }[]
      }
      expect(jwks.keys.map((key) => key.alg)).to.deep.equal(['ES256'])
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

  it('keeps HS256 for a deployment that sets only JWT_SECRET, warning that every verifier then needs the secret', async () => {
    const started = startMain({ JWT_SECRET: 'a-perfectly-random-looking-secret-Zq8xW2pL0vN7' })
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      expect(started.output()).to.match(
        /JWT_SECRET is set and JWT_ALGORITHM is not: signing HS256 .*Every service that verifies these tokens needs JWT_SECRET, and whoever holds it can mint tokens/,
      )
      expect(await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json()).to.deep.equal({ keys: [] })
    } finally {
      started.child.kill('SIGTERM')
      await once(started.child, 'exit')
    }
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

describe('main: signing keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-main-keys-'))
  const SEALING = 'main-test-key-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9'
  let fake: FakeMongo
  before(async () => {
    fake = await startFakeMongo()
  })
  after(async () => {
    await fake.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const kidsOf = async (base: string) =>
    ((await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((key) =>
      key.kid
    )
  const signIn = async (base: string, path: '/registration' | '/login') => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hup_user', password: 'correct horse battery' }),
    })
    return ((await response.json()) as { access_token: string }).access_token
  }

  it('re-reads JWT_KEYS_FILE on SIGHUP: a key moved first signs, and a broken file keeps the keys it had', async () => {
    const [first, second] = [await privateJwk('ES256', 'first-key'), await privateJwk('EdDSA', 'second-key')]
    const path = join(dir, 'keys.json')
    writeFileSync(path, JSON.stringify({ keys: [first] }))
    const started = startMain({
      JWT_KEYS_FILE: path,
      RATE_LIMIT: 'off',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    })
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const base = `http://127.0.0.1:${port}`
      expect(await kidsOf(base)).to.deep.equal(['first-key'])
      expect(decodeProtectedHeader(await signIn(base, '/registration')).kid).to.equal('first-key')
      writeFileSync(path, JSON.stringify({ keys: [second, first] }))
      started.child.kill('SIGHUP')
      await waitFor(started, /Signing keys reloaded/)
      expect(await kidsOf(base)).to.have.members(['first-key', 'second-key'])
      expect(decodeProtectedHeader(await signIn(base, '/login'))).to.include({ kid: 'second-key', alg: 'EdDSA' })
      writeFileSync(path, '{"keys": [')
      started.child.kill('SIGHUP')
      await waitFor(started, /Cannot reload the signing keys: keeping the keys held/)
      expect(await kidsOf(base)).to.have.members(['first-key', 'second-key'])
      expect(started.child.exitCode, 'SIGHUP does not end the process').to.equal(null)
    } finally {
      started.child.kill('SIGTERM')
      await once(started.child, 'exit')
    }
  })

  it('refuses to start, naming JWT_KEYS_FILE, on a key file that fails its checks', async () => {
    const { d: _, ...publicOnly } = await privateJwk()
    const path = join(dir, 'public.json')
    writeFileSync(path, JSON.stringify({ keys: [publicOnly] }))
    const started = startMain({ JWT_KEYS_FILE: path })
    const [code] = await once(started.child, 'exit')
    expect(code).to.equal(78)
    expect(started.output()).to.match(/hexauth: Cannot read JWT_KEYS_FILE: key 1 .* is a public key only/)
    expect(started.output()).to.not.match(/listening/)
  })

  it('refuses to start with MONGO_URL and no KEY_ENCRYPTION_SECRET, naming it', async () => {
    const started = startMain({ MONGO_URL: isolatedMongoUrl(fake.url) })
    const [code] = await once(started.child, 'exit')
    expect(code).to.equal(78)
    expect(started.output()).to.match(/Invalid configuration: KEY_ENCRYPTION_SECRET is required with MONGO_URL/)
  })

  it('refuses to restart with another KEY_ENCRYPTION_SECRET, naming it, rather than minting a new key', async () => {
    const url = isolatedMongoUrl(fake.url)
    const first = startMain({ MONGO_URL: url, KEY_ENCRYPTION_SECRET: SEALING })
    await waitFor(first, /listening on/)
    first.child.kill('SIGTERM')
    await once(first.child, 'exit')
    const second = startMain({
      MONGO_URL: url,
      KEY_ENCRYPTION_SECRET: 'another-main-test-secret-Zq8xW2pL0vN7-Qm4vT9xK',
    })
    const [code] = await once(second.child, 'exit')
    expect(code).to.equal(78)
    expect(second.output()).to.match(
      /hexauth: Cannot open signing key \S+: it was sealed under another KEY_ENCRYPTION_SECRET/,
    )
    expect(second.output()).to.not.match(/listening/)
    const connection = new MongoConnection({ url, timeoutMs: 2000 })
    try {
      expect(await (await connection.connection()).collection('signing_keys').find().toArray()).to.have.length(1)
    } finally {
      await connection.close()
    }
  })
})

describe('main: graceful shutdown', () => {
  it('finishes requests in flight on SIGTERM, refuses new connections, then exits 0', async function () {
    this.timeout(30_000)
    // Costly hashing makes each registration take a while: they are in flight at SIGTERM.
    const started = startMain({
      ARGON2_MEMORY_KIB: '131072',
      ARGON2_TIME_COST: '3',
      SHUTDOWN_TIMEOUT: '20s',
      RATE_LIMIT: 'off',
    })
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const base = `http://127.0.0.1:${port}`
      const inFlight = Array.from({ length: 4 }, (_, i) =>
        fetch(`${base}/registration`, {
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
    const started = startMain({
      ARGON2_MEMORY_KIB: '262144',
      ARGON2_TIME_COST: '8',
      SHUTDOWN_TIMEOUT: '0',
      RATE_LIMIT: 'off',
    })
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
