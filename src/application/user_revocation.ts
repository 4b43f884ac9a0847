import { toNumericDate } from '../domain/token_claims.ts'
import type { User } from '../domain/user.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import { blockIssuedUpTo, type TokenPolicy } from './token_minter.ts'

/** What {@linkcode revokeUsersTokens} needs. */
export interface UserRevocationDeps {
  readonly revocations: RevocationStore
  readonly clock: Clock
  readonly policy: TokenPolicy
}

/** Revokes every token the given users hold, as deleting them requires. */
export async function revokeUsersTokens(deps: UserRevocationDeps, users: readonly User[]): Promise<void> {
  const now = toNumericDate(deps.clock.now())
  const until = blockIssuedUpTo(now, deps.policy)
  await Promise.all(users.map((user) => deps.revocations.revokeSubject(user.id, now, until)))
}
