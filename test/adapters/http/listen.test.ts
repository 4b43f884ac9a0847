import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { listen } from '../../../src/adapters/http/listen.ts'
import { loadConfig } from '../../../src/adapters/config.ts'

const ok = (_req: unknown, res: { end(body: string): void }) => res.end('ok')

/** Sends one keep-alive GET on `socket` and resolves with the status line of its answer. */
function get(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      socket.off('close', onClose)
      resolve(chunk.toString().split('\r\n')[0]!)
    }
    const onClose = () => reject(new Error('connection closed'))
    socket.once('data', onData)
    socket.once('close', onClose)
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')
  })
}

describe('listen', () => {
  let server: Server | undefined
  afterEach(() => {
    server?.closeAllConnections()
    server?.close()
  })

  async function open(keepAliveTimeoutMs: number): Promise<Socket> {
    server = await listen(ok, { port: 0, host: '127.0.0.1', keepAliveTimeoutMs })
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
    await once(socket, 'connect')
    return socket
  }

  it("keeps an idle keep-alive connection open past Node's 5 s default, so a proxy reusing it gets an answer", async function () {
    this.timeout(20_000)
    const socket = await open(65_000)
    expect(await get(socket)).to.equal('HTTP/1.1 200 OK')
    await new Promise((r) => setTimeout(r, 6_000)) // idle longer than Node's default
    expect(await get(socket)).to.equal('HTTP/1.1 200 OK')
    socket.destroy()
  })

  it('closes an idle connection once the configured time is up', async function () {
    this.timeout(20_000)
    const socket = await open(200)
    await get(socket)
    const closed = once(socket, 'close')
    const late = new Promise((r) => setTimeout(() => r('still open'), 4_000)) // well before Node's 5 s
    expect(await Promise.race([closed.then(() => 'closed'), late])).to.equal('closed')
  })

  it('keeps headersTimeout above the keep-alive timeout, and requestTimeout above both', async () => {
    server = await listen(ok, { port: 0, host: '127.0.0.1', keepAliveTimeoutMs: 65_000 })
    expect(server.keepAliveTimeout).to.equal(65_000)
    expect(server.headersTimeout).to.be.above(server.keepAliveTimeout)
    expect(server.requestTimeout).to.be.at.least(server.headersTimeout)
  })

  it('takes KEEP_ALIVE_TIMEOUT from the configuration: 65 s by default, bounded', () => {
    expect(loadConfig({}).keepAliveTimeoutSeconds).to.equal(65)
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT: '2m' }).keepAliveTimeoutSeconds).to.equal(120)
    for (const bad of ['0', 'forever', '2h']) {
      expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT: bad })).to.throw(RangeError, /KEEP_ALIVE_TIMEOUT/)
    }
  })
})
