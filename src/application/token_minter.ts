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
  /**
   * How long a used refresh token may be presented again (two tabs refreshing at once)
   * before the reuse is taken for theft and its family revoked, in seconds.
   * @default 10
   */
  readonly refreshReuseGraceSeconds: number
  /** Case-folded usernames that get `is_admin` whatever the stored flag says. */
  readonly adminUsernames: ReadonlySet<UsernameKey>
  /**
   * Clock skew the verifier tolerates past `exp`, in seconds: a revocation must outlive the
   * token by as much, or a revoked token would be accepted again for its last moments.
   * @default 5
   */
  readonly leewaySeconds: number
}

/** Until when a revocation of a token expiring at `exp` must last: its whole accepted life. */
export function blockUntil(exp: number, policy: TokenPolicy): number {
  return Math.ceil(exp) + policy.leewaySeconds
}

/**
 * Until when a revocation of tokens issued up to `now` (a family, a user) must last: the
 * longest any of them can be accepted.
 */
export function blockIssuedUpTo(now: number, policy: TokenPolicy): number {
  return blockUntil(now + Math.max(policy.accessTtlSeconds, policy.refreshTtlSeconds), policy)
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
