import { isAuthError } from '../domain/auth_error.ts'
import type { TokenClaims, TokenType } from '../domain/token_claims.ts'
import type { TokenVerifier } from './ports/token_verifier.ts'

/** Dependencies of {@linkcode TokenIdentity}. */
export interface TokenIdentityDeps {
  readonly verifier: TokenVerifier
}

/** A token of either kind, and which kind the caller thinks it is (RFC 7009 `token_type_hint`). */
export interface TokenIdentityInput {
  readonly token: string
  /** A hint only: the other kind is tried too. Any value other than the two known is ignored. */
  readonly hint?: string | undefined
}

/** A token that verified, and as which kind. */
export interface IdentifiedToken {
  readonly type: TokenType
  readonly claims: TokenClaims
}

const HINTED: Readonly<Record<string, readonly TokenType[]>> = {
  access_token: ['access', 'refresh'],
  refresh_token: ['refresh', 'access'],
}

/**
 * Tells what a token of unknown kind is, for introspection and revocation by a resource
 * server: its claims when it verifies as an access or a refresh token, else `undefined`
 * (bad signature, expired, unknown key, garbage: all alike). Revocation is not checked here.
 * @throws `service_unavailable` only (a verifier that cannot answer)
 */
export class TokenIdentity {
  readonly #deps: TokenIdentityDeps

  constructor(deps: TokenIdentityDeps) {
    this.#deps = deps
  }

  async execute(input: TokenIdentityInput): Promise<IdentifiedToken | undefined> {
    for (const type of HINTED[input.hint ?? ''] ?? HINTED.access_token!) {
      try {
        return { type, claims: await this.#deps.verifier.verify(input.token, type) }
      } catch (error) {
        if (!isAuthError(error, 'invalid_token') && !isAuthError(error, 'token_expired')) throw error
      }
    }
    return undefined
  }
}
