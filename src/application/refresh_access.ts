import { AuthError } from '../domain/auth_error.ts'
import type { TokenClaims } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { CheckClaims, CsrfProof } from './check_claims.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { SessionStore } from './ports/session_store.ts'
import { type ClientInfo, recordRefresh } from './session_record.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { blockIssuedUpTo, blockUntil, type TokenMinter, type TokenPair, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode RefreshAccess}. */
export interface RefreshAccessDeps {
  readonly checkClaims: CheckClaims
  readonly revocations: RevocationStore
  readonly users: UserRepository
  readonly minter: TokenMinter
  readonly clock: Clock
  readonly policy: TokenPolicy
  /** Where the session's use is recorded; none, nothing recorded. */
  readonly sessions?: SessionStore
}

/** The refresh token presented. */
export interface RefreshAccessInput {
  readonly token: string | undefined
  /** The token came in a cookie: the request's CSRF proof, checked before it is used. */
  readonly csrf?: CsrfProof
  /** The client the session's use is recorded with. */
  readonly client?: ClientInfo
}

/** The tokens a refresh answers, as recorded for a second use within the grace window. */
interface Successor {
  readonly access: TokenClaims
  readonly refresh: TokenClaims
}

/**
 * Trades a refresh token for a new (not fresh) access token and a new refresh token of the
 * same family, retiring the presented one. A retired token presented again within the grace
 * window (two tabs refreshing at once) gets the same successor again, the same token ids, so
 * a family never has two live heads; later, it means the token was copied, so the whole family
 * is revoked and the answer is `token_reused`. The admin flag is read again from the user, so
 * a change takes effect at the next refresh. Revocation of the presented token is checked in
 * the store of record, and the new tokens' `iat` is the time the refresh began: a refresh that
 * overlaps a logout of its user or session yields nothing that outlives it.
 * @throws the errors of {@linkcode CheckClaims}; `token_reused`; `token_revoked` when the user is gone
 */
export class RefreshAccess {
  readonly #deps: RefreshAccessDeps

  constructor(deps: RefreshAccessDeps) {
    this.#deps = deps
  }

  async execute(input: RefreshAccessInput): Promise<TokenPair> {
    const { checkClaims, users, minter, clock, sessions } = this.#deps
    const startedAt = clock.now()
    const claims = await checkClaims.execute({
      token: input.token,
      type: 'refresh',
      consistent: true,
      csrf: input.csrf,
    })
    const user = await users.findById(claims.sub)
    if (user === undefined) {
      throw new AuthError('token_revoked', 'Cannot refresh access: the user no longer exists')
    }
    // The session keeps its CSRF value: one per session, whatever token a client holds.
    const options = { fresh: false, fam: claims.fam, startedAt, csrf: claims.csrf }
    const next = { access: minter.claims(user, 'access', options), refresh: minter.claims(user, 'refresh', options) }
    // Retire only once nothing else can fail, so a store outage never burns a token unused.
    const successor = await this.#retire(claims, next)
    const [access, refresh] = await minter.issue([successor.access, successor.refresh])
    await recordRefresh(sessions, refresh!.claims, input.client, clock.now())
    return { accessToken: access!.token, refreshToken: refresh!.token, csrf: claims.csrf }
  }

  /** Retires the presented token; answers the successor to sign: `next`, or the first use's. */
  async #retire(claims: TokenClaims, next: Successor): Promise<Successor> {
    const { revocations, clock, policy } = this.#deps
    const now = toNumericDate(clock.now())
    const earlier = await revocations.retire(claims.jti, {
      expiresAt: blockUntil(claims.exp, policy),
      successor: JSON.stringify(next),
      successorUntil: now + policy.refreshReuseGraceSeconds,
    })
    if (earlier === undefined) return next
    const recorded = now - earlier.at <= policy.refreshReuseGraceSeconds
      ? parseSuccessor(earlier.successor, claims)
      : undefined
    if (recorded !== undefined) return recorded
    await revocations.revokeFamily(claims.fam, blockIssuedUpTo(now, policy))
    throw new AuthError(
      'token_reused',
      'Cannot refresh access: the refresh token was already used, its session is revoked',
    )
  }
}

/** The successor a first use recorded, if it is one for this token's user and family. */
function parseSuccessor(text: string | undefined, presented: TokenClaims): Successor | undefined {
  if (text === undefined) return undefined
  try {
    const parsed = JSON.parse(text) as Partial<Successor>
    const ok = ([['access', parsed.access], ['refresh', parsed.refresh]] as const).every(([type, claims]) =>
      typeof claims === 'object' && claims !== null && claims.type === type && claims.sub === presented.sub &&
      claims.fam === presented.fam && typeof claims.jti === 'string' && typeof claims.iat === 'number' &&
      typeof claims.exp === 'number'
    )
    return ok ? parsed as Successor : undefined
  } catch {
    return undefined // unreadable: treated as a reuse, so the family is revoked (fail closed)
  }
}
