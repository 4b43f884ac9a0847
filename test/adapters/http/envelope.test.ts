import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { InFlight } from '../../../src/adapters/container.ts'
import type { InFlightRequests } from '../../../src/adapters/http/in_flight.ts'
import type { ItemRepository } from '../../../src/application/ports/item_repository.ts'
import type { Item } from '../../../src/domain/item.ts'
import {
  call,
  callRaw,
  type CallResult,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

/** What every answer carries, whatever answered it. */
function expectEnvelope(result: CallResult, status: number, error: string | undefined): void {
  expect(result.status).to.equal(status)
  expect(result.body?.error).to.equal(error)
  expect(result.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/)
  expect(result.headers.get('cache-control')).to.equal('no-store')
  expect(result.headers.get('x-content-type-options')).to.equal('nosniff')
  expect(result.headers.get('referrer-policy')).to.equal('no-referrer')
}

describe('the request envelope: what every answer gets, whoever answered it', () => {
  let server: TestServer
  let inFlight: InFlightRequests
  let token: string
  before(async () => {
    server = await startTestServer()
    inFlight = await server.container.getAsync(InFlight)
    token = (await register(server.url, 'enveloped')).accessToken
  })
  after(() => server.close())

  const answers: readonly [string, () => Promise<CallResult>, number, string | undefined][] = [
    ['a route (from the static-route table)', () => call(server.url, '/secret', { token }), 200, undefined],
    ['a route with a parameter (from the router)', () => call(server.url, '/item/none', { token }), 404, 'not_found'],
    ['a route that refuses its token', () => call(server.url, '/secret', { token: 'garbage' }), 401, 'invalid_token'],
    ['no route', () => call(server.url, '/no-such-route'), 404, 'not_found'],
    ['a route of another method', () => call(server.url, '/secret', { method: 'PUT' }), 405, 'method_not_allowed'],
    ['a method no route has', () => call(server.url, '/secret', { method: 'PATCH' }), 405, 'method_not_allowed'],
    ['a request target that is not a path', () => callRaw(server.url, '*', { method: 'GET' }), 400, 'invalid_request'],
  ]

  for (const [what, send, status, error] of answers) {
    it(`gives ${what} its status and error code, a request id and the security headers, and counts it out of flight`, async () => {
      expectEnvelope(await send(), status, error)
      expect(inFlight.count).to.equal(0)
    })
  }

  it('gives each request an id of its own', async () => {
    const ids = new Set<string | null>()
    for (let i = 0; i < 5; i++) ids.add((await call(server.url, '/healthz')).headers.get('x-request-id'))
    expect(ids.size).to.equal(5)
  })
})

/** An item store whose `list` answers only once released. */
class HeldItems implements ItemRepository {
  #release: (() => void) | undefined
  #entered: (() => void) | undefined
  readonly entered = new Promise<void>((resolve) => {
    this.#entered = resolve
  })
  release(): void {
    this.#release?.()
  }
  list(): Promise<readonly Item[]> {
    this.#entered?.()
    return new Promise((resolve) => {
      this.#release = () => resolve([])
    })
  }
  find(): Promise<Item | undefined> {
    return Promise.resolve(undefined)
  }
  create(): Promise<void> {
    return Promise.resolve()
  }
  delete(): Promise<boolean> {
    return Promise.resolve(false)
  }
}

describe('the request envelope: the in-flight count a shutdown waits on', () => {
  it('counts a request while its handler runs, and no longer once it answered', async () => {
    const items = new HeldItems()
    const server = await startTestServer({}, { items })
    try {
      const inFlight = await server.container.getAsync(InFlight)
      const pending = call(server.url, '/items')
      await items.entered
      expect(inFlight.count).to.equal(1)
      items.release()
      expectEnvelope(await pending, 200, undefined)
      expect(inFlight.count).to.equal(0)
    } finally {
      await server.close()
    }
  })
})
