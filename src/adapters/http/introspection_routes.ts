import type { Router } from '@koa/router'
import type { Introspection, IntrospectToken } from '../../application/introspect_token.ts'
import type { RevokeAnyToken } from '../../application/revoke_any_token.ts'
import type { Clients } from '../client_config.ts'
import type { AuthState } from './auth_middleware.ts'
import { requireClient } from './client_auth.ts'
import { readTokenForm } from './form_body.ts'

/** What `/introspect` and `/revoke` need. */
export interface IntrospectionRoutesDeps {
  readonly clients: Clients
  readonly introspectToken: IntrospectToken
  readonly revokeAnyToken: RevokeAnyToken
  /** The `iss` and `aud` every good token carries (the verifier checked them). */
  readonly tokenAudience: { readonly issuer: string; readonly audience: string }
}

/**
 * `POST /introspect` (RFC 7662) and `POST /revoke` (RFC 7009), for the resource servers of
 * `CLIENTS`, authenticated with HTTP Basic before anything else is read.
 */
export function addIntrospectionRoutes(router: Router<AuthState>, deps: IntrospectionRoutesDeps): void {
  const client = requireClient(deps.clients)

  router.post('/introspect', client, async (ctx) => {
    const form = await readTokenForm(ctx)
    ctx.body = introspectionBody(await deps.introspectToken.execute(form), deps.tokenAudience)
  })

  router.post('/revoke', client, async (ctx) => {
    const form = await readTokenForm(ctx)
    await deps.revokeAnyToken.execute(form)
    // RFC 7009 §2.2: 200 whatever the token was; the content is ignored by clients.
    ctx.body = {}
  })
}

function introspectionBody(
  result: Introspection,
  audience: IntrospectionRoutesDeps['tokenAudience'],
): Record<string, unknown> {
  if (!result.active) return { active: false }
  const { claims } = result
  return {
    active: true,
    token_type: result.type === 'access' ? 'access_token' : 'refresh_token',
    sub: claims.sub,
    username: result.username,
    iss: audience.issuer,
    aud: audience.audience,
    exp: claims.exp,
    // NumericDates in whole seconds, as the JWT itself carries them.
    iat: Math.floor(claims.iat),
    nbf: claims.nbf,
    jti: claims.jti,
    is_admin: claims.isAdmin,
    fresh: claims.fresh,
  }
}
