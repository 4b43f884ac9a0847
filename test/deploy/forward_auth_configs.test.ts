import { readFileSync } from 'node:fs'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parse } from 'yaml'
import { IDENTITY_HEADERS } from '../../src/adapters/http/forward_auth_routes.ts'

const read = (name: string) => readFileSync(new URL(`../../deploy/forward-auth/${name}`, import.meta.url), 'utf8')
const underscored = (header: string) => header.replaceAll('-', '_')

// Traefik cannot be installed where hexauth is tested (no Debian package, no container engine):
// its file is held to the options Traefik documents (doc.traefik.io, "ForwardAuth" and
// "Headers", v2.11 and v3), and to what the nginx and Caddy files do, which run for real in
// forward_auth_proxies.test.ts.
const FORWARD_AUTH_OPTIONS = new Set([
  'address',
  'tls',
  'trustForwardHeader',
  'authResponseHeaders',
  'authResponseHeadersRegex',
  'authRequestHeaders',
  'addAuthCookiesToResponse',
  'headerField',
  'forwardBody',
  'maxBodySize',
  'preserveLocationHeader',
  'preserveRequestMethod',
])

describe('deploy/forward-auth/traefik.yml', () => {
  // deno-lint-ignore no-explicit-any -- parsed YAML, read field by field
  const config = parse(read('traefik.yml')) as any
  const middlewares = config.http.middlewares as Record<string, Record<string, Record<string, unknown>>>
  const forwardAuths = Object.entries(middlewares).filter(([, m]) => m.forwardAuth !== undefined)

  it('uses only documented ForwardAuth options, and copies exactly the identity headers', () => {
    expect(forwardAuths.map(([name]) => name)).to.have.members(['hexauth', 'hexauth-admin'])
    for (const [name, { forwardAuth }] of forwardAuths) {
      expect(Object.keys(forwardAuth!).filter((option) => !FORWARD_AUTH_OPTIONS.has(option)), name).to.deep.equal([])
      expect(forwardAuth!.authResponseHeaders, name).to.deep.equal([...IDENTITY_HEADERS])
      expect(forwardAuth!.trustForwardHeader, name).to.equal(false)
    }
    expect(middlewares.hexauth!.forwardAuth!.address).to.match(/^http:\/\/[^/]+\/auth\/verify$/)
    expect(middlewares['hexauth-admin']!.forwardAuth!.address).to.match(/\/auth\/verify\?require=admin$/)
  })

  it('strips every client-sent identity header, underscore spellings too, before each forward-auth', () => {
    const removed = middlewares['hexauth-strip-identity']!.headers!.customRequestHeaders as Record<string, string>
    for (const header of IDENTITY_HEADERS) {
      expect(removed[header], header).to.equal('')
      expect(removed[underscored(header)], underscored(header)).to.equal('')
    }
    const routers = Object.entries(config.http.routers as Record<string, { middlewares: string[]; service: string }>)
    expect(routers).to.have.length(2)
    for (const [name, router] of routers) {
      expect(router.middlewares[0], name).to.equal('hexauth-strip-identity')
      expect(router.middlewares.some((m) => m.startsWith('hexauth') && middlewares[m]!.forwardAuth !== undefined), name)
        .to.equal(true)
      expect(config.http.services[router.service], name).to.be.an('object')
    }
  })
})

describe('deploy/forward-auth/nginx.conf.template and Caddyfile', () => {
  it("nginx: every location behind auth_request sets every identity header from hexauth's answer", () => {
    const locations = read('nginx.conf.template').split(/\n\s*location /).slice(1).filter((block) =>
      block.includes('auth_request ')
    )
    expect(locations).to.have.length(2)
    for (const block of locations) {
      for (const header of IDENTITY_HEADERS) {
        const variable = `$upstream_http_${header.toLowerCase().replaceAll('-', '_')}`
        const name = new RegExp(`auth_request_set (\\$\\w+) \\${variable};`).exec(block)?.[1]
        expect(name, header).to.be.a('string')
        expect(block).to.include(`proxy_set_header ${header} ${name};`)
      }
    }
  })

  it('Caddy: every forward_auth follows the deletion of every client-sent identity header, inside a route', () => {
    const routes = read('Caddyfile').split(/\broute \{/).slice(1)
    expect(routes).to.have.length(2)
    for (const route of routes) {
      const forwardAuth = route.indexOf('forward_auth ')
      expect(forwardAuth).to.be.greaterThan(0)
      for (const header of [...IDENTITY_HEADERS, ...IDENTITY_HEADERS.map(underscored)]) {
        const deletion = route.indexOf(`request_header -${header}\n`)
        expect(deletion, header).to.be.within(0, forwardAuth)
      }
      expect(route).to.include(`copy_headers ${IDENTITY_HEADERS.join(' ')}`)
    }
  })
})
