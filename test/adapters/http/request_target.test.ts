import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { callRaw, expectError, register, startTestServer, type TestServer } from '../../support/http_harness.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

describe('request targets', () => {
  let server: TestServer
  let origin: string
  before(async () => {
    server = await startTestServer()
    origin = server.url
  })
  after(() => server.close())

  const send = (target: string, method = 'POST') =>
    callRaw(origin, target, {
      method,
      headers: { 'content-type': 'application/json', 'content-length': '2' },
      body: '{}',
    })

  it('answers an origin glued in front of an absolute target with 400 invalid_request', async () => {
    expectError(await send(`${origin}${origin}/registration%00`), 400, 'invalid_request')
  })

  it('answers an absolute target with a malformed host with 400 invalid_request, not a bare 500', async () => {
    expectError(await send('http://[::1/registration'), 400, 'invalid_request')
    expectError(await send('http://[::1/secret', 'GET'), 400, 'invalid_request')
  })

  it('answers a target of another scheme, or none, with 400 invalid_request', async () => {
    for (const target of ['ftp://127.0.0.1/registration', '*']) {
      expectError(await send(target), 400, 'invalid_request')
    }
  })

  it('serves a well-formed absolute target as its path, as HTTP/1.1 requires of servers', async () => {
    const { accessToken } = await register(origin, 'absolute_form')
    const answer = await callRaw(origin, `${origin}/secret`, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}` },
    })
    expect([answer.status, answer.body]).to.deep.equal([200, { answer: 42 }])
  })
})

describe('request targets, in a process of their own', () => {
  it('prints no deprecation warning for a glued absolute target (Node warns once per process)', async function () {
    this.timeout(30_000)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
    })
    child.stderr!.on('data', (chunk) => {
      output += chunk
    })
    try {
      let port: string | undefined
      for (let i = 0; i < 300 && port === undefined; i++) {
        port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
        if (port === undefined) await new Promise((r) => setTimeout(r, 50))
      }
      expect(port, output).to.be.a('string')
      const base = `http://127.0.0.1:${port}`
      const glued = await callRaw(base, `${base}${base}/registration%00`, { method: 'GET' })
      expect(glued.status).to.equal(400)
      // Warnings print asynchronously: one more round trip lets any pending one out.
      expect((await callRaw(base, '/healthz', { method: 'GET' })).status).to.equal(200)
      expect(output).to.not.match(/DeprecationWarning|DEP0170/)
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })
})
