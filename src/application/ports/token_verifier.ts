import type { TokenClaims, TokenType } from '../../domain/token_claims.ts'

/** Checks a token's signature, header, type and times, and returns its claims. */
export interface TokenVerifier {
  /** Throws `token_expired` or `invalid_token`; never anything else for a bad token. */
  verify(token: string, type: TokenType): Promise<TokenClaims>
}

/** Injection token of {@linkcode TokenVerifier}. */
export const TokenVerifier = Symbol('TokenVerifier')
