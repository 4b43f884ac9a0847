import { AuthError } from '../domain/auth_error.ts'
import { isJsonObject } from '../domain/credentials.ts'
import type { TokenClaims } from '../domain/token_claims.ts'
import type { CredentialsCheck } from './credentials_check.ts'
import type { SessionStore } from './ports/session_store.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { revokeUsersTokens, type UserRevocationDeps } from './user_revocation.ts'

/** Dependencies of {@linkcode DeleteAccount}. */
export interface DeleteAccountDeps extends UserRevocationDeps {
  readonly users: UserRepository
  readonly credentials: CredentialsCheck
  readonly sessions?: SessionStore
}

/** Who deletes their account, with what body. */
export interface DeleteAccountInput {
  /** The caller's verified, fresh access token (the route checks it is fresh). */
  readonly caller: TokenClaims
  /** `{password}`, untrusted. */
  readonly body: unknown
}

/**
 * Deletes the caller's own account after re-checking its password: every token revoked
 * (before and after, as an admin's delete does), its sessions forgotten, the name free again.
 * Answers the deleted username.
 * @throws `invalid_request` (field `password`), `invalid_credentials`, `service_unavailable`
 */
export class DeleteAccount {
  readonly #deps: DeleteAccountDeps

  constructor(deps: DeleteAccountDeps) {
    this.#deps = deps
  }

  async execute(input: DeleteAccountInput): Promise<string> {
    const { users, credentials, sessions } = this.#deps
    const password = isJsonObject(input.body) ? input.body.password : undefined
    if (typeof password !== 'string' || password === '') {
      const why = password === undefined ? 'is required' : 'must be a non-empty string'
      throw new AuthError('invalid_request', `Invalid password: it ${why}`, { fields: { password: why } })
    }
    const found = await users.findById(input.caller.sub)
    const user = await credentials.verify(found, password, 'Cannot delete the account: the password is wrong')
    await revokeUsersTokens(this.#deps, [user])
    const deleted = await users.delete(user.username)
    await revokeUsersTokens(this.#deps, [deleted ?? user])
    await sessions?.deleteByUser(user.id)
    return user.username
  }
}
