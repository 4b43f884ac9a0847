import { AuthError } from '../domain/auth_error.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import { blockIssuedUpTo, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode RevokeSessionById}. */
export interface RevokeSessionByIdDeps {
  readonly revocations: RevocationStore
  readonly clock: Clock
  readonly policy: TokenPolicy
}

const SESSION_ID = /^[\w-]{1,64}$/

/**
 * An operator ends one login session by its id (the CLI's `revoke-session`): its family is
 * revoked, so every token of it stops working and it is no longer listed.
 * @throws `invalid_request` for a malformed id, `service_unavailable`
 */
export class RevokeSessionById {
  readonly #deps: RevokeSessionByIdDeps

  constructor(deps: RevokeSessionByIdDeps) {
    this.#deps = deps
  }

  async execute(input: { readonly id: unknown }): Promise<void> {
    const { id } = input
    if (typeof id !== 'string' || !SESSION_ID.test(id)) {
      throw new AuthError(
        'invalid_request',
        'Invalid session id: it must be 1 to 64 letters, digits, "_" or "-", as `sessions` lists it',
      )
    }
    const { revocations, clock, policy } = this.#deps
    await revocations.revokeFamily(id, blockIssuedUpTo(toNumericDate(clock.now()), policy))
  }
}
