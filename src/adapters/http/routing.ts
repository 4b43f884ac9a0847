import type { Router } from '@koa/router'
import type { Middleware, ParameterizedContext } from 'koa'
import compose from 'koa-compose'

type Layer = Router['stack'][number]

/**
 * `router.routes()` with a table in front: a request whose method and path are exactly those
 * of a route without parameters goes straight to that route's middleware, composed once,
 * instead of through the router's per-request scan of every route, chain building and
 * composition. Everything else (parameters, other spellings of a path, unknown paths) goes to
 * the router, so every answer is the router's own.
 *
 * A route enters the table only if the router itself matches its path and method to that one
 * route and no other (so `/docs/init.js`, also matched by `/docs/:asset`, stays with the
 * router), and its context is left as the router leaves it (`_matchedRoute`, `params`…).
 */
export function routes<S>(router: Router<S>): Middleware<S> {
  const dispatch = router.routes() as unknown as Middleware<S>
  const table = new Map<string, Middleware<S>>()
  for (const layer of router.stack) {
    const path = layer.path
    if (typeof path !== 'string' || layer.paramNames.length > 0) continue
    for (const method of layer.methods) {
      const matched = router.match(path, method)
      if (matched.pathAndMethod.length !== 1 || matched.pathAndMethod[0] !== layer) continue
      table.set(`${method} ${path}`, direct(router, layer, path, matched.path as Layer[]))
    }
  }
  const middleware: Middleware<S> = (ctx, next) => (table.get(`${ctx.method} ${ctx.path}`) ?? dispatch)(ctx, next)
  // Where the router's own table is found (the OpenAPI test lists every route from it).
  return Object.assign(middleware, { router })
}

/** A route's middleware, run with the context fields the router sets for it. */
function direct<S>(router: Router<S>, layer: Layer, path: string, pathLayers: readonly Layer[]): Middleware<S> {
  const chain = compose(layer.stack as unknown as Middleware<S>[])
  return (ctx, next) => {
    const routed = ctx as ParameterizedContext<S> & RouterContextFields
    routed.matched = [...pathLayers]
    routed.router = router
    routed.routeMatched = true
    routed.captures = []
    routed.params = routed.request.params = {}
    routed.routerPath = path
    routed.routerName = layer.name
    routed._matchedRoute = path
    if (layer.name !== undefined) routed._matchedRouteName = layer.name
    return chain(ctx, next)
  }
}

/** What `@koa/router` writes on a context it routes. */
interface RouterContextFields {
  matched: Layer[]
  router: unknown
  routeMatched: boolean
  captures: string[]
  params: Record<string, string>
  request: { params: Record<string, string> }
  routerPath: string
  routerName: string | undefined
  _matchedRoute: string
  _matchedRouteName: string
}
