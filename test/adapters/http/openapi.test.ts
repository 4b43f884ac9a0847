import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Validator } from '@seriousme/openapi-schema-validator'
import { HttpApp } from '../../../src/adapters/container.ts'
import { OPERATIONS } from '../../../src/adapters/http/openapi.ts'
import { call, startTestServer, type TestServer } from '../../support/http_harness.ts'

interface Layer {
  readonly path: string
  readonly methods: readonly string[]
}

describe('GET /openapi.json', () => {
  let server: TestServer
  // deno-lint-ignore no-explicit-any -- a JSON document read field by field
  let doc: any
  let routes: Set<string>

  before(async () => {
    server = await startTestServer()
    doc = (await call(server.url, '/openapi.json')).body
    // Every route the router really serves, from its own table (HEAD is implied by GET).
    const app = await server.container.getAsync(HttpApp)
    const layers = app.middleware.flatMap((mw) => ((mw as { router?: { stack: Layer[] } }).router?.stack ?? []))
    routes = new Set(layers.flatMap((layer) =>
      layer.methods
        .filter((method) => method !== 'HEAD')
        .map((method) => `${method.toLowerCase()} ${layer.path.replace(/:(\w+)/g, '{$1}')}`)
    ))
    // The docs page's own assets are part of /docs, not API operations.
    for (const asset of ['get /docs/init.js', 'get /docs/{asset}']) routes.delete(asset)
  })

  after(() => server.close())

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).to.equal('3.1.0')
    const result = await new Validator().validate(doc)
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([])
    expect(result.valid).to.equal(true)
  })

  it('documents every route the router serves', () => {
    expect(routes.size).to.be.greaterThan(15)
    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>)
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)),
    )
    expect([...routes].filter((route) => !documented.has(route)), 'served but not documented').to.deep.equal([])
    expect([...documented].filter((route) => !routes.has(route)), 'documented but not served').to.deep.equal([])
  })

  it('describes the bearer scheme and which routes need it', () => {
    expect(doc.components.securitySchemes.bearer).to.deep.equal({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    expect(doc.paths['/secret'].get.security).to.deep.equal([{ bearer: [] }])
    expect(doc.paths['/login'].post.security).to.deep.equal([])
    expect(doc.paths['/items'].get.security).to.deep.equal([{}, { bearer: [] }])
  })

  it('carries the validation rules of the schemas that check request bodies', () => {
    const credentials = doc.paths['/registration'].post.requestBody.content['application/json'].schema
    expect(credentials.required).to.have.members(['username', 'password'])
    expect(credentials.properties.username).to.include({
      type: 'string',
      minLength: 3,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.-]+$',
    })
    expect(credentials.properties.password).to.include({ type: 'string', minLength: 8, maxLength: 1024 })
    const price = doc.paths['/item/{name}'].post.requestBody.content['application/json'].schema
    expect(price.properties.price).to.include({ type: 'number', minimum: 0 })
  })

  it('names every error code and the statuses each route can answer', () => {
    const error = doc.paths['/login'].post.responses['401'].content['application/json'].schema
    expect(error.properties.error.enum).to.include.members([
      'invalid_request',
      'unsupported_media_type',
      'payload_too_large',
      'username_taken',
      'invalid_credentials',
      'rate_limited',
      'authorization_required',
      'invalid_token',
      'token_expired',
      'token_revoked',
      'token_reused',
      'fresh_token_required',
      'admin_required',
      'not_found',
      'item_exists',
      'method_not_allowed',
      'service_unavailable',
    ])
    expect(Object.keys(doc.paths['/users'].get.responses)).to.include.members(['200', '401', '403'])
    expect(Object.keys(doc.paths['/registration'].post.responses)).to.include.members([
      '201',
      '400',
      '409',
      '413',
      '415',
    ])
  })

  it('groups every operation under exactly one declared tag, none left to "default"', () => {
    expect(doc.tags.map((tag: { name: string }) => tag.name)).to.deep.equal([
      'accounts',
      'tokens',
      'users',
      'items',
      'keys',
      'operations',
    ])
    const declared = new Set(doc.tags.map((tag: { name: string }) => tag.name))
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { tags?: string[] }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.tags, `${method} ${path}`).to.have.length(1)
        expect(declared.has(op.tags![0]), `${method} ${path}: ${op.tags}`).to.equal(true)
      }
    }
    expect(doc.paths['/login'].post.tags).to.deep.equal(['accounts'])
    expect(doc.paths['/logout/all'].post.tags).to.deep.equal(['tokens'])
    expect(doc.paths['/users/{username}'].delete.tags).to.deep.equal(['users'])
    expect(doc.paths['/item/{name}'].post.tags).to.deep.equal(['items'])
    expect(doc.paths['/metrics'].get.tags).to.deep.equal(['operations'])
  })

  it('lists the same operations as the table it is generated from', () => {
    expect(Object.values(doc.paths as Record<string, object>).flatMap(Object.keys)).to.have.length(OPERATIONS.length)
  })
})
