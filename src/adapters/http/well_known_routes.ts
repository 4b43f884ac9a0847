import type { Router } from '@koa/router'
import type { PublishedKey, SigningKeys } from '../../application/ports/signing_keys.ts'
import type { AuthState } from './auth_middleware.ts'

/** What the well-known documents say. */
export interface WellKnownOptions {
  /** The `iss` of every token (`JWT_ISSUER`, or `PUBLIC_URL`). */
  readonly issuer: string
  /** The external base URL; unset, the metadata's URLs come from the request's own origin. */
  readonly publicUrl: string | undefined
  /** `max-age` of the JWKS, in seconds: well under the pre-publication period. @default 300 */
  readonly jwksMaxAgeSeconds: number
}

/** What the well-known routes need. */
export interface WellKnownRoutesDeps {
  readonly signingKeys: SigningKeys
  readonly wellKnown: WellKnownOptions
}

/** The JWKS path, relative to the base URL. */
export const JWKS_PATH = '/.well-known/jwks.json'

/**
 * `GET /.well-known/jwks.json` (the public keys, cacheable, with an ETag) and
 * `GET /.well-known/oauth-authorization-server` (RFC 8414 metadata): what a resource server
 * configured with hexauth's issuer URL needs to verify its tokens.
 */
export function addWellKnownRoutes(router: Router<AuthState>, deps: WellKnownRoutesDeps): void {
  const { issuer, publicUrl, jwksMaxAgeSeconds } = deps.wellKnown
  const cacheable = `public, max-age=${jwksMaxAgeSeconds}`
  router.get(JWKS_PATH, async (ctx) => {
    const text = JSON.stringify(jwks(deps.signingKeys.published()))
    // Cacheable on purpose (verifiers poll it): a new key is published long before it signs.
    ctx.set('Cache-Control', cacheable)
    const etag = await etagOf(text)
    ctx.set('ETag', etag)
    // A revalidation (If-None-Match) gets a 304 whatever its Cache-Control says: a client's
    // no-cache asks caches to revalidate, which is what this answers.
    if (matches(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304
      return
    }
    ctx.type = 'application/json'
    ctx.body = text
  })
  router.get('/.well-known/oauth-authorization-server', (ctx) => {
    ctx.body = metadata(issuer, publicUrl ?? `${ctx.protocol}://${ctx.host}`)
    // Derived from the request's Host when there is no PUBLIC_URL: then not for shared caches.
    if (publicUrl !== undefined) ctx.set('Cache-Control', cacheable)
  })
}

/** The public parameters of each key type: nothing else of a key is ever written out. */
const PUBLIC_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  RSA: ['n', 'e'],
}

function jwks(keys: readonly PublishedKey[]): { keys: Record<string, string>[] } {
  return {
    keys: keys.map(({ kid, alg, publicJwk }) => {
      const fields = PUBLIC_PARAMETERS[publicJwk.kty] ?? []
      const parameters = Object.fromEntries(
        fields.map((name) => [name, String((publicJwk as unknown as Record<string, unknown>)[name])]),
      )
      return { kty: publicJwk.kty, ...parameters, kid, alg, use: 'sig' }
    }),
  }
}

/**
 * RFC 8414 metadata. `response_types_supported` is required by the RFC; hexauth has no
 * authorization endpoint, so it supports none, and says so with an empty list rather than
 * claim one. `grant_types_supported` is empty too: left out, it would mean the RFC's default,
 * authorization code and implicit. Introspection (RFC 7662) and revocation (RFC 7009) take
 * the clients of `CLIENTS` with HTTP Basic (`client_secret_basic`) only.
 */
function metadata(issuer: string, base: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${base}${JWKS_PATH}`,
    response_types_supported: [],
    grant_types_supported: [],
    introspection_endpoint: `${base}/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
    revocation_endpoint: `${base}/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic'],
  }
}

/** Whether an If-None-Match list names `etag` (weak comparison, RFC 9110 §13.1.2). */
function matches(header: string, etag: string): boolean {
  if (header === '') return false
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '')).some((tag) => tag === '*' || tag === etag)
}

async function etagOf(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return `"${btoa(String.fromCharCode(...digest.subarray(0, 16))).replace(/=+$/, '')}"`
}
