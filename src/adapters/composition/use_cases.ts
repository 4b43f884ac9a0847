import { CheckClaims } from '../../application/check_claims.ts'
import { CreateItem } from '../../application/create_item.ts'
import { CredentialsCheck } from '../../application/credentials_check.ts'
import { DeleteAllUsers } from '../../application/delete_all_users.ts'
import { DeleteItem } from '../../application/delete_item.ts'
import { DeleteUser } from '../../application/delete_user.ts'
import { FreshLogin } from '../../application/fresh_login.ts'
import { GetItem } from '../../application/get_item.ts'
import { ListItems } from '../../application/list_items.ts'
import { ListUsers } from '../../application/list_users.ts'
import { Login } from '../../application/login.ts'
import { Clock } from '../../application/ports/clock.ts'
import { ItemRepository } from '../../application/ports/item_repository.ts'
import { CommonPasswords } from '../../application/ports/common_passwords.ts'
import { PasswordHasher } from '../../application/ports/password_hasher.ts'
import { RevocationStore } from '../../application/ports/revocation_store.ts'
import { SessionStore } from '../../application/ports/session_store.ts'
import { TokenIssuer } from '../../application/ports/token_issuer.ts'
import { TokenVerifier } from '../../application/ports/token_verifier.ts'
import { UserRepository } from '../../application/ports/user_repository.ts'
import { RefreshAccess } from '../../application/refresh_access.ts'
import { RegisterUser } from '../../application/register_user.ts'
import { RevokeToken } from '../../application/revoke_token.ts'
import { RevokeUserTokens } from '../../application/revoke_user_tokens.ts'
import { SetAdmin } from '../../application/set_admin.ts'
import { TokenMinter, type TokenPolicy as TokenPolicyValue } from '../../application/token_minter.ts'
import type { UsernameKey } from '../../domain/username.ts'
import { Argon2Hasher } from '../crypto/argon2_hasher.ts'
import { CommonPasswordList } from '../common_password_list.ts'
import type { Capability } from './capability.ts'
import { ReservedUsernames, TokenPolicy } from './ids.ts'

/** What revoking a user's or a family's tokens takes: the blocklist, the time, the lifetimes. */
const revoking = [RevocationStore, Clock, TokenPolicy] as const

/** Accounts and their tokens: the hasher, the common-password list, register, login (fresh too), refresh, revoke, and the claims check of every protected route. Register, login and refresh record the login session. */
export const accounts: Capability = ({ bind }, { config, overrides: o }) => {
  bind(PasswordHasher).toConstantValue(o.hasher ?? new Argon2Hasher(config.argon2, config.argon2Concurrency))
  // Loaded once: ~18 000 passwords refused at registration, password change and the CLI's register.
  bind(CommonPasswords).toConstantValue(CommonPasswordList.fromPackage())
  bind(TokenMinter).toResolvedValue(
    (issuer: TokenIssuer, revocations: RevocationStore, policy: TokenPolicyValue) =>
      new TokenMinter({ issuer, revocations, policy }),
    [TokenIssuer, RevocationStore, TokenPolicy],
  )
  bind(CredentialsCheck).toResolvedValue(
    (users: UserRepository, hasher: PasswordHasher) => new CredentialsCheck({ users, hasher }),
    [UserRepository, PasswordHasher],
  )
  bind(CheckClaims).toResolvedValue(
    (verifier: TokenVerifier, revocations: RevocationStore) => new CheckClaims({ verifier, revocations }),
    [TokenVerifier, RevocationStore],
  )
  bind(RegisterUser).toResolvedValue(
    (
      users: UserRepository,
      hasher: PasswordHasher,
      minter: TokenMinter,
      clock: Clock,
      reservedUsernames: ReadonlySet<UsernameKey>,
      commonPasswords: CommonPasswords,
      sessions: SessionStore,
    ) => new RegisterUser({ users, hasher, minter, clock, reservedUsernames, commonPasswords, sessions }),
    [UserRepository, PasswordHasher, TokenMinter, Clock, ReservedUsernames, CommonPasswords, SessionStore],
  )
  bind(Login).toResolvedValue(
    (credentials: CredentialsCheck, minter: TokenMinter, clock: Clock, sessions: SessionStore) =>
      new Login({ credentials, minter, clock, sessions }),
    [CredentialsCheck, TokenMinter, Clock, SessionStore],
  )
  bind(FreshLogin).toResolvedValue(
    (credentials: CredentialsCheck, checkClaims: CheckClaims, minter: TokenMinter, clock: Clock) =>
      new FreshLogin({ credentials, checkClaims, minter, clock }),
    [CredentialsCheck, CheckClaims, TokenMinter, Clock],
  )
  bind(RefreshAccess).toResolvedValue(
    (
      checkClaims: CheckClaims,
      users: UserRepository,
      minter: TokenMinter,
      revocations: RevocationStore,
      clock: Clock,
      policy: TokenPolicyValue,
      sessions: SessionStore,
    ) => new RefreshAccess({ checkClaims, users, minter, revocations, clock, policy, sessions }),
    [CheckClaims, UserRepository, TokenMinter, ...revoking, SessionStore],
  )
  bind(RevokeToken).toResolvedValue(
    (checkClaims: CheckClaims, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeToken({ checkClaims, revocations, clock, policy }),
    [CheckClaims, ...revoking],
  )
}

/** What an admin (over HTTP) or an operator (the CLI) does to users: list, delete, promote or demote, revoke all their tokens. */
export const administration: Capability = ({ bind }) => {
  bind(ListUsers).toResolvedValue((users: UserRepository) => new ListUsers({ users }), [UserRepository])
  bind(DeleteUser).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new DeleteUser({ users, revocations, clock, policy }),
    [UserRepository, ...revoking],
  )
  bind(DeleteAllUsers).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new DeleteAllUsers({ users, revocations, clock, policy }),
    [UserRepository, ...revoking],
  )
  bind(SetAdmin).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new SetAdmin({ users, revocations, clock, policy }),
    [UserRepository, ...revoking],
  )
  bind(RevokeUserTokens).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeUserTokens({ users, revocations, clock, policy }),
    [UserRepository, ...revoking],
  )
}

/** The tutorial's items: list, get, create, delete. */
export const items: Capability = ({ bind }) => {
  bind(ListItems).toResolvedValue((items: ItemRepository) => new ListItems({ items }), [ItemRepository])
  bind(GetItem).toResolvedValue((items: ItemRepository) => new GetItem({ items }), [ItemRepository])
  bind(CreateItem).toResolvedValue((items: ItemRepository) => new CreateItem({ items }), [ItemRepository])
  bind(DeleteItem).toResolvedValue((items: ItemRepository) => new DeleteItem({ items }), [ItemRepository])
}
