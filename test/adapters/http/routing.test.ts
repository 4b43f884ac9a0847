import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { Router } from '@koa/router'
import Koa from 'koa'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { routes } from '../../../src/adapters/http/routing.ts'

type Fields = Record<string, unknown>

/** What a route sees of the router: the fields the app and its middleware read. */
function seen(name: string): Koa.Middleware {
  return (ctx) => {
    const routed = ctx as unknown as Fields & { matched: { path: string }[] }
    const fields = {
      handler: name,
      matchedRoute: routed._matchedRoute,
      routerPath: routed.routerPath,
      params: routed.params,
      requestParams: (ctx.request as unknown as Fields).params,
      captures: routed.captures,
      routeMatched: routed.routeMatched,
      matched: routed.matched.map((layer) => layer.path),
      isRouter: routed.router instanceof Router,
    }
    ctx.set('X-Seen', JSON.stringify(fields)) // what a HEAD answer, with no body, shows
    ctx.body = fields
  }
}

function buildRouter(): Router {
  const router = new Router()
  router.get('/static', async (_ctx, next) => await next(), seen('static'))
  router.post('/static', seen('static-post'))
  router.get('/items/:name', seen('item'))
  router.get('/docs/init.js', seen('init'))
  router.get('/docs/:asset', seen('asset'))
  router.delete('/only-delete', seen('only-delete'))
  router.get('/grow', (ctx) => { // a route that changes its matched list
    const matched = (ctx as unknown as { matched: unknown[] }).matched
    matched.push({ path: '/extra' })
    ctx.body = { length: matched.length }
  })
  return router
}

async function serve(
  use: (app: Koa, router: Router) => void,
): Promise<{ server: Server; url: string; router: Router }> {
  const app = new Koa()
  const router = buildRouter()
  use(app, router)
  app.use(router.allowedMethods())
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, router }
}

async function answer(base: string, method: string, path: string) {
  const response = await fetch(base + path, { method })
  const text = await response.text()
  const json = text !== '' && response.headers.get('content-type')?.startsWith('application/json') === true
  const fields = response.headers.get('x-seen')
  return {
    status: response.status,
    allow: response.headers.get('allow'),
    seen: fields === null ? undefined : JSON.parse(fields),
    body: json ? JSON.parse(text) : text,
  }
}

// Each request, and the handler that answers it (undefined: the router's own 404/405/OPTIONS).
const REQUESTS: readonly (readonly [string, string, string | undefined])[] = [
  ['GET', '/static', 'static'],
  ['HEAD', '/static', 'static'],
  ['POST', '/static', 'static-post'],
  ['GET', '/static/', 'static'], // another spelling of the same route: the router's regexp takes it
  ['GET', '/STATIC', 'static'],
  ['GET', '/static?x=1', 'static'],
  ['GET', '/items/a%20b', 'item'],
  ['GET', '/docs/init.js', 'init'], // two layers match: the first answers
  ['GET', '/docs/other.css', 'asset'],
  ['PUT', '/static', undefined], // 405 from allowedMethods
  ['OPTIONS', '/static', undefined],
  ['GET', '/only-delete', undefined],
  ['GET', '/nowhere', undefined],
]

describe('routes: the router with a table of its static routes in front', () => {
  let table: Awaited<ReturnType<typeof serve>>
  let plain: Awaited<ReturnType<typeof serve>>
  before(async () => {
    table = await serve((app, router) => app.use(routes(router)))
    plain = await serve((app, router) => app.use(router.routes()))
  })
  after(() => {
    table.server.close()
    plain.server.close()
  })

  for (const [method, path, handler] of REQUESTS) {
    it(`answers ${method} ${path} exactly as router.routes() does, with the same context fields`, async () => {
      const expected = await answer(plain.url, method, path)
      expect(await answer(table.url, method, path)).to.deep.equal(expected)
      expect(expected.seen?.handler).to.equal(handler)
    })
  }

  it('serves an exact static method and path from its table, without asking the router to match', async () => {
    let matches = 0
    const match = table.router.match.bind(table.router)
    table.router.match = (...args: Parameters<typeof match>) => {
      matches++
      return match(...args)
    }
    try {
      expect((await answer(table.url, 'GET', '/static')).body.handler).to.equal('static')
      expect((await answer(table.url, 'POST', '/static')).body.handler).to.equal('static-post')
      expect(matches).to.equal(0)
      expect((await answer(table.url, 'GET', '/items/x')).body.handler).to.equal('item')
      expect((await answer(table.url, 'GET', '/docs/init.js')).body.handler).to.equal('init')
      expect(matches).to.equal(2)
    } finally {
      table.router.match = match
    }
  })

  it('gives each request a matched list of its own, so one request cannot change the next', async () => {
    const first = await answer(table.url, 'GET', '/grow')
    const second = await answer(table.url, 'GET', '/grow')
    expect(first.body).to.deep.equal({ length: 2 })
    expect(second.body).to.deep.equal(first.body)
  })

  it('keeps the router where the app is inspected for its routes', () => {
    const router = buildRouter()
    expect((routes(router) as unknown as { router: Router }).router).to.equal(router)
  })
})
