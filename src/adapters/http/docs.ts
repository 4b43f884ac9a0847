import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Router } from '@koa/router'
import type { AuthState } from './auth_middleware.ts'

// Swagger UI from the swagger-ui-dist package, served from this origin: no CDN, so the page
// works on a closed network, and "try it out" calls this same service.
const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
// A Map, not an object literal: a path segment such as "constructor" or "__proto__" must find
// nothing, where a plain object would answer with what its prototype holds.
const ASSETS: ReadonlyMap<string, string> = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['swagger-ui-standalone-preset.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
])

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>hexauth API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
})
`

// Scripts from this origin only; Swagger UI sets inline styles and shows data: images.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

const cache = new Map<string, Buffer>()

/** `GET /docs` and its assets. */
export function addDocsRoutes(router: Router<AuthState>): void {
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', CSP)
    ctx.type = 'text/html; charset=utf-8'
    ctx.body = PAGE
  })
  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8'
    ctx.body = INIT
  })
  router.get('/docs/:asset', async (ctx, next) => {
    const type = ASSETS.get(ctx.params.asset!)
    if (type === undefined) return next() // not an asset: a 404 from the app
    let content = cache.get(ctx.params.asset!)
    if (content === undefined) {
      content = await readFile(join(DIST, ctx.params.asset!))
      cache.set(ctx.params.asset!, content)
    }
    ctx.type = type
    ctx.body = content
  })
}
