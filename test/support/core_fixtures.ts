import { expect } from 'chai'
import { JoseTokenIssuer } from '../../src/adapters/crypto/jose_token_issuer.ts'
import { JoseTokenVerifier } from '../../src/adapters/crypto/jose_token_verifier.ts'
import { HmacSigningKeys } from '../../src/adapters/crypto/hmac_signing_keys.ts'
import type { JwtSettings } from '../../src/adapters/crypto/jwt_settings.ts'
import { MemoryItemRepository } from '../../src/adapters/memory/item_repository.ts'
import { MemoryRevocationStore } from '../../src/adapters/memory/revocation_store.ts'
import { MemorySessionStore } from '../../src/adapters/memory/session_store.ts'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { CommonPasswordList } from '../../src/adapters/common_password_list.ts'
import { ChangePassword } from '../../src/application/change_password.ts'
import { DeleteAccount } from '../../src/application/delete_account.ts'
import { GetMe } from '../../src/application/get_me.ts'
import { ListSessions } from '../../src/application/list_sessions.ts'
import { RevokeSessions } from '../../src/application/revoke_sessions.ts'
import { CheckClaims } from '../../src/application/check_claims.ts'
import { CreateItem } from '../../src/application/create_item.ts'
import { CredentialsCheck } from '../../src/application/credentials_check.ts'
import { DeleteAllUsers } from '../../src/application/delete_all_users.ts'
import { DeleteItem } from '../../src/application/delete_item.ts'
import { DeleteUser } from '../../src/application/delete_user.ts'
import { FreshLogin } from '../../src/application/fresh_login.ts'
import { GetItem } from '../../src/application/get_item.ts'
import { ListItems } from '../../src/application/list_items.ts'
import { ListUsers } from '../../src/application/list_users.ts'
import { Login } from '../../src/application/login.ts'
import type { PasswordHasher } from '../../src/application/ports/password_hasher.ts'
import type { RevocationStore } from '../../src/application/ports/revocation_store.ts'
import type { TokenIssuer } from '../../src/application/ports/token_issuer.ts'
import { RefreshAccess } from '../../src/application/refresh_access.ts'
import { RegisterUser } from '../../src/application/register_user.ts'
import { RevokeToken } from '../../src/application/revoke_token.ts'
import { RevokeUserTokens } from '../../src/application/revoke_user_tokens.ts'
import { SetAdmin } from '../../src/application/set_admin.ts'
import { TokenMinter, type TokenPolicy } from '../../src/application/token_minter.ts'
import { AuthError, type AuthErrorCode } from '../../src/domain/auth_error.ts'
import type { UsernameKey } from '../../src/domain/username.ts'
import { FakeClock } from './fake_clock.ts'
import { createTestHasher } from './test_hasher.ts'

/** The signing secret of the core fixtures (43 bytes, test only). */
const SECRET = new TextEncoder().encode('x'.repeat(16) + 'unit-test-secret-0123456789')

/** What {@linkcode createCore} may change. */
export interface CoreOptions {
  /** Usernames (any case) only an operator may register; its accounts of them are admins. */
  readonly reservedUsernames?: readonly string[]
  readonly hasher?: PasswordHasher
  /** @default 900 */
  readonly accessTtlSeconds?: number
  /** @default 2592000 */
  readonly refreshTtlSeconds?: number
  /** @default 10 */
  readonly refreshReuseGraceSeconds?: number
  /** Clock skew tolerated past `exp`, in seconds. @default 0 */
  readonly leewaySeconds?: number
  /** The user store (a gated one, say). @default a new MemoryUserRepository */
  readonly users?: MemoryUserRepository
  /** Wraps the jose issuer the minter signs with (to gate it, say). */
  readonly issuer?: (jose: TokenIssuer) => TokenIssuer
  /** Wraps the memory blocklist the use cases see (a lagging cache, say); `revocations` stays the memory one. */
  readonly blocklist?: (memory: MemoryRevocationStore) => RevocationStore
  /** The common-password list. @default a few fixture entries ("password123", "qwertyuiop") */
  readonly commonPasswords?: readonly string[]
  /** Mint a `csrf` claim per session (cookie mode). @default false */
  readonly csrf?: boolean
}

/** Every adapter and use case of the core, wired like the container does, on a fake clock. */
export interface Core {
  readonly clock: FakeClock
  readonly users: MemoryUserRepository
  readonly items: MemoryItemRepository
  readonly revocations: MemoryRevocationStore
  readonly hasher: PasswordHasher
  readonly settings: JwtSettings
  readonly verifier: JoseTokenVerifier
  readonly reservedKeys: ReadonlySet<UsernameKey>
  readonly policy: TokenPolicy
  readonly minter: TokenMinter
  readonly credentials: CredentialsCheck
  readonly checkClaims: CheckClaims
  readonly registerUser: RegisterUser
  readonly login: Login
  readonly freshLogin: FreshLogin
  readonly refreshAccess: RefreshAccess
  readonly revokeToken: RevokeToken
  readonly listUsers: ListUsers
  readonly deleteUser: DeleteUser
  readonly deleteAllUsers: DeleteAllUsers
  readonly setAdmin: SetAdmin
  readonly revokeUserTokens: RevokeUserTokens
  readonly listItems: ListItems
  readonly getItem: GetItem
  readonly createItem: CreateItem
  readonly deleteItem: DeleteItem
  readonly sessions: MemorySessionStore
  readonly commonPasswords: CommonPasswordList
  readonly getMe: GetMe
  readonly changePassword: ChangePassword
  readonly listSessions: ListSessions
  readonly revokeSessions: RevokeSessions
  readonly deleteAccount: DeleteAccount
}

/**
 * Builds the core on in-memory stores, a {@linkcode FakeClock} and the cheap test hasher
 * (argon2id on Node, PBKDF2 under Deno: see test_hasher.ts).
 */
export async function createCore(options: CoreOptions = {}): Promise<Core> {
  const clock = new FakeClock()
  const users = options.users ?? new MemoryUserRepository()
  const items = new MemoryItemRepository()
  const revocations = new MemoryRevocationStore({ clock })
  const blocklist = options.blocklist?.(revocations) ?? revocations
  const hasher = options.hasher ?? createTestHasher()
  const settings: JwtSettings = {
    keys: await HmacSigningKeys.create(SECRET, clock.now()),
    issuer: 'hexauth',
    audience: 'hexauth',
    leewaySeconds: options.leewaySeconds ?? 0,
    clock,
  }
  const verifier = new JoseTokenVerifier(settings)
  const reservedKeys = new Set((options.reservedUsernames ?? []).map((name) => name.toLowerCase() as UsernameKey))
  const policy: TokenPolicy = {
    accessTtlSeconds: options.accessTtlSeconds ?? 900,
    refreshTtlSeconds: options.refreshTtlSeconds ?? 2_592_000,
    refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 10,
    leewaySeconds: options.leewaySeconds ?? 0,
    csrf: options.csrf ?? false,
  }
  const jose = new JoseTokenIssuer(settings)
  const minter = new TokenMinter({ issuer: options.issuer?.(jose) ?? jose, revocations: blocklist, policy })
  const credentials = new CredentialsCheck({ users, hasher })
  const checkClaims = new CheckClaims({ verifier, revocations: blocklist })
  const revoking = { revocations: blocklist, clock, policy }
  const sessions = new MemorySessionStore()
  const commonPasswords = new CommonPasswordList(options.commonPasswords ?? ['password123', 'qwertyuiop'])
  return {
    clock,
    users,
    items,
    revocations,
    hasher,
    settings,
    verifier,
    reservedKeys,
    policy,
    minter,
    credentials,
    checkClaims,
    sessions,
    commonPasswords,
    registerUser: new RegisterUser({
      users,
      hasher,
      minter,
      clock,
      reservedUsernames: reservedKeys,
      commonPasswords,
      sessions,
    }),
    login: new Login({ credentials, minter, clock, sessions }),
    freshLogin: new FreshLogin({ credentials, checkClaims, minter, clock }),
    refreshAccess: new RefreshAccess({ checkClaims, users, minter, ...revoking, sessions }),
    getMe: new GetMe({ users }),
    changePassword: new ChangePassword({ users, credentials, hasher, minter, ...revoking, commonPasswords, sessions }),
    listSessions: new ListSessions({ sessions, revocations: blocklist, clock }),
    revokeSessions: new RevokeSessions({ sessions, ...revoking }),
    deleteAccount: new DeleteAccount({ users, credentials, ...revoking, sessions }),
    revokeToken: new RevokeToken({ checkClaims, ...revoking }),
    listUsers: new ListUsers({ users }),
    deleteUser: new DeleteUser({ users, ...revoking }),
    deleteAllUsers: new DeleteAllUsers({ users, ...revoking }),
    setAdmin: new SetAdmin({ users, ...revoking }),
    revokeUserTokens: new RevokeUserTokens({ users, ...revoking }),
    listItems: new ListItems({ items }),
    getItem: new GetItem({ items }),
    createItem: new CreateItem({ items }),
    deleteItem: new DeleteItem({ items }),
  }
}

/** A {@linkcode PasswordHasher} that counts the calls it forwards to a real one. */
export class CountingHasher implements PasswordHasher {
  readonly #inner: PasswordHasher
  hashes = 0
  verifies = 0

  constructor(inner: PasswordHasher = createTestHasher()) {
    this.#inner = inner
  }

  hash(password: string): Promise<string> {
    this.hashes++
    return this.#inner.hash(password)
  }

  verify(encoded: string, password: string): Promise<boolean> {
    this.verifies++
    return this.#inner.verify(encoded, password)
  }

  needsRehash(encoded: string): boolean {
    return this.#inner.needsRehash(encoded)
  }
}

/** Asserts that `promise` rejects with an {@linkcode AuthError} of `code`, and returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  let value: unknown
  try {
    value = await promise
  } catch (error) {
    expectAuthError(error, code)
    return error as AuthError
  }
  return expect.fail(`Expected a rejection with "${code}", got a result: ${JSON.stringify(value)}`)
}

/** Asserts that `run` throws an {@linkcode AuthError} of `code`, and returns it. */
export function throwsWith(run: () => unknown, code: AuthErrorCode): AuthError {
  let value: unknown
  try {
    value = run()
  } catch (error) {
    expectAuthError(error, code)
    return error as AuthError
  }
  return expect.fail(`Expected an AuthError "${code}", got a result: ${JSON.stringify(value)}`)
}

function expectAuthError(error: unknown, code: AuthErrorCode): void {
  expect(error, String(error)).to.be.instanceOf(AuthError)
  expect((error as AuthError).code, (error as AuthError).message).to.equal(code)
  // The contract of every error: a message that says what failed and why, for the client.
  expect((error as AuthError).message, `the message of "${code}"`).to.match(/^(Cannot|Invalid) [^:]+\S.{6,}/)
}

/** A valid password for fixtures. */
export const PASSWORD = 'correct horse battery'
