import { AuthError } from '../domain/auth_error.ts'
import type { TokenClaims } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import { type ListSessionsDeps, liveSessions } from './list_sessions.ts'
import { blockIssuedUpTo, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode RevokeSessions}. */
export interface RevokeSessionsDeps extends ListSessionsDeps {
  readonly policy: TokenPolicy
}

/** Which of the caller's sessions to end: one by id, or every one but the current. */
export type RevokeSessionsInput =
  | { readonly caller: TokenClaims; readonly id: unknown }
  | { readonly caller: TokenClaims; readonly allButCurrent: true }

const SESSION_ID = /^[\w-]{1,64}$/

/**
 * Ends login sessions of the caller: revokes their families and forgets them. Only the
 * caller's own: any other id, well-formed or not, is `not_found`, so nothing tells whether
 * it is someone else's. Answers how many were ended.
 * @throws `not_found`, `service_unavailable`
 */
export class RevokeSessions {
  readonly #deps: RevokeSessionsDeps

  constructor(deps: RevokeSessionsDeps) {
    this.#deps = deps
  }

  async execute(input: RevokeSessionsInput): Promise<number> {
    const { sessions, revocations, clock, policy } = this.#deps
    const { caller } = input
    const live = await liveSessions(this.#deps, caller.sub)
    const doomed = 'id' in input
      ? live.filter((session) => typeof input.id === 'string' && SESSION_ID.test(input.id) && session.id === input.id)
      : live.filter((session) => session.id !== caller.fam)
    if ('id' in input && doomed.length === 0) {
      throw new AuthError('not_found', 'Cannot end the session: you have no such session')
    }
    const until = blockIssuedUpTo(toNumericDate(clock.now()), policy)
    await Promise.all(doomed.map((session) => revocations.revokeFamily(session.id, until)))
    await sessions.delete(caller.sub, doomed.map((session) => session.id))
    return doomed.length
  }
}
