import type { TokenClaims, TokenType } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { User } from '../domain/user.ts'
import { isAdminUser } from '../domain/user.ts'
import type { UsernameKey } from '../domain/username.ts'
import type { Clock } from './ports/clock.ts'
import type { TokenIssuer } from './ports/token_issuer.ts'

/** Lifetimes and admin names the minter applies. */
export interface TokenPolicy {
  /** @default 900 (15 minutes) */
  readonly accessTtlSeconds: number
  /** @default 2592000 (30 days) */
  readonly refreshTtlSeconds: number
  /** Case-folded usernames that get `is_admin` whatever the stored flag says. */
  readonly adminUsernames: ReadonlySet<UsernameKey>
}

/** Dependencies of {@linkcode TokenMinter}. */
export interface TokenMinterDeps {
  readonly issuer: TokenIssuer
  readonly clock: Clock
  readonly policy: TokenPolicy
}

/** A signed token and the claims it carries. */
export interface MintedToken {
  readonly token: string
  readonly claims: TokenClaims
}

/** Options of {@linkcode TokenMinter.mint}. */
export interface MintOptions {
  readonly fresh: boolean
  /** The login session the token belongs to. */
  readonly fam: string
}

/** Builds claims (ids, times, admin flag) for a user and has them signed. */
export class TokenMinter {
  readonly #deps: TokenMinterDeps

  constructor(deps: TokenMinterDeps) {
    this.#deps = deps
  }

  /** A new family id: one per login. */
  newFamily(): string {
    return crypto.randomUUID()
  }

  /** Mints one token of `type` for `user`. Refresh tokens are never fresh. */
  async mint(user: User, type: TokenType, options: MintOptions): Promise<MintedToken> {
    const { issuer, clock, policy } = this.#deps
    const iat = toNumericDate(clock.now())
    const ttl = type === 'access' ? policy.accessTtlSeconds : policy.refreshTtlSeconds
    const claims: TokenClaims = {
      sub: user.id,
      jti: crypto.randomUUID(),
      type,
      iat,
      nbf: Math.floor(iat),
      exp: Math.floor(iat) + ttl,
      fresh: type === 'access' && options.fresh,
      isAdmin: isAdminUser(user, policy.adminUsernames),
      fam: options.fam,
    }
    return { token: await issuer.sign(claims), claims }
  }

  /** A fresh access token and a refresh token of a new family: what a password check earns. */
  async mintPair(user: User): Promise<TokenPair> {
    const fam = this.newFamily()
    const [access, refresh] = await Promise.all([
      this.mint(user, 'access', { fresh: true, fam }),
      this.mint(user, 'refresh', { fresh: false, fam }),
    ])
    return { accessToken: access.token, refreshToken: refresh.token }
  }
}

/** An access token and a refresh token. */
export interface TokenPair {
  readonly accessToken: string
  readonly refreshToken: string
}
