import { AuthError } from '../domain/auth_error.ts'
import { isJsonObject } from '../domain/credentials.ts'
import type { TokenClaims } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { CredentialsCheck } from './credentials_check.ts'
import { parseNewPassword } from './new_password.ts'
import type { Clock } from './ports/clock.ts'
import type { CommonPasswords } from './ports/common_passwords.ts'
import type { PasswordHasher } from './ports/password_hasher.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { SessionStore } from './ports/session_store.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { type ClientInfo, recordRefresh } from './session_record.ts'
import { blockIssuedUpTo, type TokenMinter, type TokenPair, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode ChangePassword}. */
export interface ChangePasswordDeps {
  readonly users: UserRepository
  readonly credentials: CredentialsCheck
  readonly hasher: PasswordHasher
  readonly minter: TokenMinter
  readonly revocations: RevocationStore
  readonly clock: Clock
  readonly policy: TokenPolicy
  readonly commonPasswords?: CommonPasswords
  readonly sessions?: SessionStore
}

/** Who changes their password, with what body, from where. */
export interface ChangePasswordInput {
  /** The caller's verified access token. */
  readonly caller: TokenClaims
  /** `{current_password, new_password}`, untrusted. */
  readonly body: unknown
  readonly client?: ClientInfo
}

/**
 * Changes the caller's password (ASVS 6.2.3): the current one is checked as a login checks it
 * (the dummy-hash discipline, `invalid_credentials`), the new one by the length rules and the
 * common-password list. Then every token of the user issued up to now is revoked, the other
 * sessions' included (ASVS 7.4.3), and the caller gets a new pair in its own session.
 * @throws `invalid_request` (fields `current_password`, `new_password`), `invalid_credentials`,
 *   `token_revoked` when the account is gone, `service_unavailable`
 */
export class ChangePassword {
  readonly #deps: ChangePasswordDeps

  constructor(deps: ChangePasswordDeps) {
    this.#deps = deps
  }

  async execute(input: ChangePasswordInput): Promise<TokenPair> {
    const { users, credentials, hasher, minter, revocations, clock, policy, commonPasswords, sessions } = this.#deps
    const { current, next } = parseBody(input.body, commonPasswords)
    const found = await users.findById(input.caller.sub)
    const user = await credentials.verify(found, current, 'Cannot change the password: the current password is wrong')
    if (!await users.updatePasswordHash(user.id, await hasher.hash(next))) {
      throw new AuthError('token_revoked', 'Cannot change the password: the account no longer exists')
    }
    const revokedAt = clock.now()
    const now = toNumericDate(revokedAt)
    await revocations.revokeSubject(user.id, now, blockIssuedUpTo(now, policy))
    // A millisecond past the revocation, which covers everything issued up to it.
    const { refresh, ...pair } = await minter.mintPair(
      user,
      { startedAt: Math.max(clock.now(), revokedAt + 1) },
      input.caller.fam,
    )
    if (sessions !== undefined) {
      const others = (await sessions.listByUser(user.id, new Date(revokedAt))).filter((session) =>
        session.id !== refresh.fam
      )
      await sessions.delete(user.id, others.map((session) => session.id))
    }
    await recordRefresh(sessions, refresh, input.client, clock.now())
    return pair
  }
}

function parseBody(body: unknown, common: CommonPasswords | undefined): { current: string; next: string } {
  if (!isJsonObject(body)) throw new AuthError('invalid_request', 'Invalid request body: it must be a JSON object')
  const raw = body.current_password
  const problem = raw === undefined
    ? 'is required'
    : typeof raw !== 'string' || raw === ''
    ? 'must be a non-empty string'
    : undefined
  if (problem !== undefined) {
    throw new AuthError('invalid_request', `Invalid current_password: it ${problem}`, {
      fields: { current_password: problem },
    })
  }
  return { current: raw as string, next: parseNewPassword(body.new_password, 'new_password', common) }
}
