import { AuthError } from '../domain/auth_error.ts'
import { newCsrfValue } from '../domain/csrf.ts'
import type { TokenClaims, TokenType } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { User } from '../domain/user.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { TokenIssuer } from './ports/token_issuer.ts'

/** Lifetimes the minter applies and revocations must outlast. */
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
  /**
   * Clock skew the verifier tolerates past `exp`, in seconds: a revocation must outlive the
   * token by as much, or a revoked token would be accepted again for its last moments.
   * @default 5
   */
  readonly leewaySeconds: number
  /**
   * Give each login session a random `csrf` claim, shared by its access and refresh tokens
   * (cookie mode: the double-submit value).
   * @default false
   */
  readonly csrf?: boolean
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
  readonly revocations: RevocationStore
  readonly policy: TokenPolicy
}

/** A signed token and the claims it carries. */
export interface MintedToken {
  readonly token: string
  readonly claims: TokenClaims
}

/** Options of {@linkcode TokenMinter.claims}. */
export interface MintOptions {
  readonly fresh: boolean
  /** The login session the token belongs to. */
  readonly fam: string
  /**
   * When the work that earns the token began (ms since the epoch), read before the user or
   * the token it rests on: it becomes `iat`, so a revocation of "everything issued up to now"
   * that overlaps the minting catches the new token too.
   */
  readonly startedAt: number
  /** The session's CSRF value, copied into the claims (cookie mode). */
  readonly csrf?: string | undefined
}

/**
 * Builds claims (ids, times, admin flag) for a user and has them signed. `iat` is the time
 * the minting began, never the time of signing: a token whose minting overlapped a revocation
 * of its user or family is covered by it. Before signing, the claims are checked against the
 * blocklist of record, so a revocation that landed meanwhile is answered at once with
 * `token_revoked` rather than with tokens that no longer work.
 */
export class TokenMinter {
  readonly #deps: TokenMinterDeps

  constructor(deps: TokenMinterDeps) {
    this.#deps = deps
  }

  /** A new family id: one per login. */
  newFamily(): string {
    return crypto.randomUUID()
  }

  /**
   * The claims of one token of `type` for `user`; refresh tokens are never fresh, access tokens
   * carry the username.
   */
  claims(user: User, type: TokenType, options: MintOptions): TokenClaims {
    const { policy } = this.#deps
    const iat = toNumericDate(options.startedAt)
    const ttl = type === 'access' ? policy.accessTtlSeconds : policy.refreshTtlSeconds
    return {
      sub: user.id,
      jti: crypto.randomUUID(),
      type,
      iat,
      nbf: Math.floor(iat),
      exp: Math.floor(iat) + ttl,
      fresh: type === 'access' && options.fresh,
      isAdmin: user.isAdmin,
      fam: options.fam,
      ...type === 'access' ? { preferredUsername: user.username } : {},
      ...options.csrf === undefined ? {} : { csrf: options.csrf },
    }
  }

  /**
   * Signs tokens of one user and session (claims from {@linkcode claims}), after checking
   * that the blocklist of record does not already refuse them.
   * @throws `token_revoked`, `service_unavailable`
   */
  async issue(claims: readonly TokenClaims[]): Promise<MintedToken[]> {
    const { issuer, revocations } = this.#deps
    // Tokens signed together share their user, family and iat: one check covers them all.
    if (claims[0] !== undefined && await revocations.isRevoked(claims[0], { consistent: true })) {
      throw new AuthError(
        'token_revoked',
        'Cannot issue tokens: the session or account was revoked while they were being issued, try again',
      )
    }
    return Promise.all(claims.map(async (each) => ({ token: await issuer.sign(each), claims: each })))
  }

  /** Mints one token of `type` for `user`. */
  async mint(user: User, type: TokenType, options: MintOptions): Promise<MintedToken> {
    const [minted] = await this.issue([this.claims(user, type, options)])
    return minted!
  }

  /** A new session's CSRF value when the policy asks for one, else `undefined`. */
  newCsrf(): string | undefined {
    return this.#deps.policy.csrf === true ? newCsrfValue() : undefined
  }

  /**
   * A fresh access token and a refresh token of a new family (a new login session, with a
   * CSRF value of its own in cookie mode): what a password check earns. With `fam`, the pair
   * continues that session instead (a password change keeps the caller's).
   */
  async mintPair(
    user: User,
    options: Pick<MintOptions, 'startedAt'>,
    fam: string = this.newFamily(),
  ): Promise<MintedPair> {
    const common = { fam, startedAt: options.startedAt, csrf: this.newCsrf() }
    const [access, refresh] = await this.issue([
      this.claims(user, 'access', { fresh: true, ...common }),
      this.claims(user, 'refresh', { fresh: false, ...common }),
    ])
    return { accessToken: access!.token, refreshToken: refresh!.token, csrf: common.csrf, refresh: refresh!.claims }
  }
}

/** An access token and a refresh token, and their session's CSRF value in cookie mode. */
export interface TokenPair {
  readonly accessToken: string
  readonly refreshToken: string
  readonly csrf?: string | undefined
}

/** A pair as minted, with the refresh token's claims (what the session store records). */
export interface MintedPair extends TokenPair {
  readonly refresh: TokenClaims
}
