import type { TokenClaims, TokenType } from '../domain/token_claims.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { UserRepository } from './ports/user_repository.ts'
import type { TokenIdentity, TokenIdentityInput } from './token_identity.ts'

/** Dependencies of {@linkcode IntrospectToken}. */
export interface IntrospectTokenDeps {
  readonly identity: TokenIdentity
  readonly revocations: RevocationStore
  /** For the username of a refresh token, which does not carry it. */
  readonly users: UserRepository
}

/** What a resource server learns of a good token. */
export interface ActiveToken {
  readonly active: true
  readonly type: TokenType
  readonly claims: TokenClaims
  /** The account's username: from the token, or from the store for a refresh token. */
  readonly username: string
}

/** The answer: a good token's claims, or only that it is not good, whatever the reason. */
export type Introspection = ActiveToken | { readonly active: false }

/** The answer to every token that is not good: nothing about why. */
export const INACTIVE: Introspection = Object.freeze({ active: false })

/**
 * RFC 7662 introspection: whether a token is good right now (signature, times, kind and the
 * blocklist, near-cache included, as on every protected route), and if so what it says.
 * @throws `service_unavailable` (the blocklist or a store cannot answer: never a guess)
 */
export class IntrospectToken {
  readonly #deps: IntrospectTokenDeps

  constructor(deps: IntrospectTokenDeps) {
    this.#deps = deps
  }

  async execute(input: TokenIdentityInput): Promise<Introspection> {
    const found = await this.#deps.identity.execute(input)
    if (found === undefined) return INACTIVE
    const { type, claims } = found
    if (await this.#deps.revocations.isRevoked(claims)) return INACTIVE
    const username = claims.preferredUsername ?? (await this.#deps.users.findById(claims.sub))?.username
    // A refresh token of an account deleted since: no user to describe.
    if (username === undefined) return INACTIVE
    return { active: true, type, claims, username }
  }
}
