import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { call, callRetrying } from '../../bench/setup_http.ts'
import { freePort } from '../support/redis_server.ts'

describe('bench/setup_http.ts', () => {
  let server: Server
  let base: string
  let connections = 0
  before(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => res.end(JSON.stringify({ method: req.method, body })))
    })
    // A server that closes idle connections at once: any reuse of one would fail.
    server.keepAliveTimeout = 1
    server.on('connection', () => {
      connections++
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => server.close())

  it('makes each call on a connection of its own, so none reuses one the server closed', async () => {
    const before = connections
    for (let i = 0; i < 5; i++) {
      const answer = await call(`${base}/x`, 'POST', { n: i })
      expect([answer.status, JSON.parse(answer.text)]).to.deep.equal([200, {
        method: 'POST',
        body: JSON.stringify({ n: i }),
      }])
      await new Promise((r) => setTimeout(r, 20)) // idle past the server's keep-alive timeout
    }
    expect(connections - before).to.equal(5)
  })

  it('retries while nothing listens yet, and gives up after its attempts', async () => {
    const port = await freePort()
    const late = createServer((_req, res) => res.end('up'))
    const answered = callRetrying(`http://127.0.0.1:${port}/`)
    setTimeout(() => late.listen(port, '127.0.0.1'), 200)
    expect((await answered).text).to.equal('up')
    late.close()
    const closed = await freePort()
    const refused = await callRetrying(`http://127.0.0.1:${closed}/`, 'GET', undefined, 3).then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code,
    )
    expect(refused).to.equal('ECONNREFUSED')
  })
})
