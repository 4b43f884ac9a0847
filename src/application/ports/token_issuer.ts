import type { TokenClaims } from '../../domain/token_claims.ts'

/** Turns claims into a signed token. */
export interface TokenIssuer {
  sign(claims: TokenClaims): Promise<string>
}

/** Injection token of {@linkcode TokenIssuer}. */
export const TokenIssuer = Symbol('TokenIssuer')
