import { AuthError } from '../domain/auth_error.ts'
import { assertCsrf } from '../domain/csrf.ts'
import type { TokenClaims, TokenType } from '../domain/token_claims.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { TokenVerifier } from './ports/token_verifier.ts'

/** Dependencies of {@linkcode CheckClaims}. */
export interface CheckClaimsDeps {
  readonly verifier: TokenVerifier
  readonly revocations: RevocationStore
}

/** A token and what the caller's route needs of it. */
export interface CheckClaimsInput {
  /** The raw token; `undefined` when the request carried none. */
  readonly token: string | undefined
  readonly type: TokenType
  /** Needs a token issued straight from a password check. */
  readonly fresh?: boolean
  /** Needs the `is_admin` claim. */
  readonly admin?: boolean
  /**
   * Check revocation in the store of record, never a near-cache that may lag: for a token
   * traded for new ones, which would outlive a revocation the cache had not seen yet.
   */
  readonly consistent?: boolean
  /**
   * The token came in a cookie on an unsafe request: its `csrf` claim must equal `presented`
   * (the `X-CSRF-Token` header), or the request is refused with `csrf_failed`.
   */
  readonly csrf?: CsrfProof
}

/** What a cookie-borne token's request presents as its CSRF value. */
export interface CsrfProof {
  readonly presented: string | undefined
}

/**
 * Verifies a token, checks it against the blocklist and enforces a route's needs.
 * @throws `authorization_required`, `invalid_token`, `token_expired`, `token_revoked`,
 *   `fresh_token_required`, `admin_required`, `csrf_failed`, `service_unavailable`
 */
export class CheckClaims {
  readonly #deps: CheckClaimsDeps

  constructor(deps: CheckClaimsDeps) {
    this.#deps = deps
  }

  async execute(input: CheckClaimsInput): Promise<TokenClaims> {
    if (input.token === undefined) {
      throw new AuthError('authorization_required', `Cannot authorize: no ${input.type} token was sent`)
    }
    const claims = await this.#deps.verifier.verify(input.token, input.type)
    if (await this.#deps.revocations.isRevoked(claims, { consistent: input.consistent === true })) {
      throw new AuthError('token_revoked', `Cannot authorize: the ${input.type} token was revoked`)
    }
    if (input.csrf !== undefined) assertCsrf(claims, input.csrf.presented)
    if (input.fresh === true && !claims.fresh) {
      throw new AuthError('fresh_token_required', 'Cannot authorize: a fresh access token is required, log in again')
    }
    if (input.admin === true && !claims.isAdmin) {
      throw new AuthError('admin_required', 'Cannot authorize: administrator rights are required')
    }
    return claims
  }
}
