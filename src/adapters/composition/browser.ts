import type { Container, ServiceIdentifier } from 'inversify'
import { ChangePassword } from '../../application/change_password.ts'
import { CheckClaims } from '../../application/check_claims.ts'
import { CredentialsCheck } from '../../application/credentials_check.ts'
import { DeleteAccount } from '../../application/delete_account.ts'
import { GetMe } from '../../application/get_me.ts'
import { ListSessions } from '../../application/list_sessions.ts'
import { ListUserSessions } from '../../application/list_user_sessions.ts'
import { RevokeSessionById } from '../../application/revoke_session_by_id.ts'
import { Login } from '../../application/login.ts'
import { Clock } from '../../application/ports/clock.ts'
import { CommonPasswords } from '../../application/ports/common_passwords.ts'
import { PasswordHasher } from '../../application/ports/password_hasher.ts'
import { RevocationStore } from '../../application/ports/revocation_store.ts'
import { SessionStore } from '../../application/ports/session_store.ts'
import { UserRepository } from '../../application/ports/user_repository.ts'
import { RefreshAccess } from '../../application/refresh_access.ts'
import { RegisterUser } from '../../application/register_user.ts'
import { RevokeSessions } from '../../application/revoke_sessions.ts'
import { RevokeToken } from '../../application/revoke_token.ts'
import { TokenMinter, type TokenPolicy as TokenPolicyValue } from '../../application/token_minter.ts'
import type { UsernameKey } from '../../domain/username.ts'
import { CommonPasswordList } from '../common_password_list.ts'
import type { Config } from '../config.ts'
import type { BrowserOptions, BrowserRoutesDeps } from '../http/browser_routes.ts'
import type { AuthLimits } from '../http/rate_limits.ts'
import { MemorySessionStore } from '../memory/session_store.ts'
import type { MongoConnection } from '../mongo/mongo_connection.ts'
import { MongoSessionStore } from '../mongo/session_store.ts'
import type { StoreHealth } from '../store_health.ts'

/** The tokens of the container this module reads (container.ts's own, passed in to avoid a cycle). */
export interface BrowserTokens {
  readonly Mongo: ServiceIdentifier<MongoConnection>
  readonly TokenPolicy: ServiceIdentifier<TokenPolicyValue>
  readonly ReservedUsernames: ServiceIdentifier<ReadonlySet<UsernameKey>>
  readonly Limits: ServiceIdentifier<AuthLimits | undefined>
  readonly Health: ServiceIdentifier<StoreHealth>
}

/** The ids this module binds, for the container's list of every binding. */
export const BROWSER_SERVICE_IDS: readonly symbol[] = [SessionStore, CommonPasswords]
/** The self-service use cases, bound as classes. */
export const BROWSER_USE_CASES = [GetMe, ChangePassword, ListSessions, RevokeSessions, DeleteAccount, ListUserSessions, RevokeSessionById] as const

/**
 * Binds the session store (MongoDB with `MONGO_URL`, else memory; or `sessions`), the
 * common-password list (loaded once), the self-service use cases, and rebinds the use cases
 * that open or use sessions (registration, login, refresh) with them. Call after the core's
 * use cases are bound.
 */
export function bindBrowser(c: Container, config: Config, t: BrowserTokens, sessions?: SessionStore): void {
  if (sessions !== undefined) c.bind(SessionStore).toConstantValue(sessions)
  else if (config.mongoUrl === undefined) c.bind(SessionStore).toConstantValue(new MemorySessionStore())
  else c.bind(SessionStore).toResolvedValue((mongo: MongoConnection) => new MongoSessionStore(mongo), [t.Mongo])
  c.bind(CommonPasswords).toConstantValue(CommonPasswordList.fromPackage())
  c.rebind(t.TokenPolicy).toConstantValue({
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
    leewaySeconds: config.jwtLeewaySeconds,
    // One CSRF value per login session, in its tokens, whenever cookies may carry them.
    csrf: config.browser.cookies,
  })
  rebindSessionUseCases(c, t)
  bindSelfService(c, t)
}

function rebindSessionUseCases(c: Container, t: BrowserTokens): void {
  c.rebind(RegisterUser).toResolvedValue(
    (users: UserRepository, hasher: PasswordHasher, minter: TokenMinter, clock: Clock, reservedUsernames: ReadonlySet<UsernameKey>,
      commonPasswords: CommonPasswords, sessions: SessionStore) =>
      new RegisterUser({ users, hasher, minter, clock, reservedUsernames, commonPasswords, sessions }),
    [UserRepository, PasswordHasher, TokenMinter, Clock, t.ReservedUsernames, CommonPasswords, SessionStore])
  c.rebind(Login).toResolvedValue(
    (credentials: CredentialsCheck, minter: TokenMinter, clock: Clock, sessions: SessionStore) => new Login({ credentials, minter, clock, sessions }),
    [CredentialsCheck, TokenMinter, Clock, SessionStore])
  c.rebind(RefreshAccess).toResolvedValue(
    (checkClaims: CheckClaims, users: UserRepository, minter: TokenMinter, revocations: RevocationStore, clock: Clock,
      policy: TokenPolicyValue, sessions: SessionStore) => new RefreshAccess({ checkClaims, users, minter, revocations, clock, policy, sessions }),
    [CheckClaims, UserRepository, TokenMinter, RevocationStore, Clock, t.TokenPolicy, SessionStore])
}

function bindSelfService(c: Container, t: BrowserTokens): void {
  c.bind(GetMe).toResolvedValue((users: UserRepository) => new GetMe({ users }), [UserRepository])
  c.bind(ChangePassword).toResolvedValue(
    (users: UserRepository, credentials: CredentialsCheck, hasher: PasswordHasher, minter: TokenMinter, revocations: RevocationStore,
      clock: Clock, policy: TokenPolicyValue, commonPasswords: CommonPasswords, sessions: SessionStore) =>
      new ChangePassword({ users, credentials, hasher, minter, revocations, clock, policy, commonPasswords, sessions }),
    [UserRepository, CredentialsCheck, PasswordHasher, TokenMinter, RevocationStore, Clock, t.TokenPolicy, CommonPasswords, SessionStore])
  c.bind(ListSessions).toResolvedValue(
    (sessions: SessionStore, revocations: RevocationStore, clock: Clock) => new ListSessions({ sessions, revocations, clock }),
    [SessionStore, RevocationStore, Clock])
  c.bind(RevokeSessions).toResolvedValue(
    (sessions: SessionStore, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeSessions({ sessions, revocations, clock, policy }),
    [SessionStore, RevocationStore, Clock, t.TokenPolicy])
  c.bind(ListUserSessions).toResolvedValue(
    (users: UserRepository, sessions: SessionStore, revocations: RevocationStore, clock: Clock) =>
      new ListUserSessions({ users, sessions, revocations, clock }),
    [UserRepository, SessionStore, RevocationStore, Clock])
  c.bind(RevokeSessionById).toResolvedValue(
    (revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) => new RevokeSessionById({ revocations, clock, policy }),
    [RevocationStore, Clock, t.TokenPolicy])
  c.bind(DeleteAccount).toResolvedValue(
    (users: UserRepository, credentials: CredentialsCheck, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue,
      sessions: SessionStore) => new DeleteAccount({ users, credentials, revocations, clock, policy, sessions }),
    [UserRepository, CredentialsCheck, RevocationStore, Clock, t.TokenPolicy, SessionStore])
}

/** The HTTP adapter's share of this module: the self-service use cases and cookie mode's options. */
export async function browserHttpDeps(c: Container, config: Config, t: BrowserTokens): Promise<BrowserRoutesDeps & { browserOptions: BrowserOptions }> {
  const { browser } = config
  return {
    checkClaims: await c.getAsync(CheckClaims),
    revokeToken: await c.getAsync(RevokeToken),
    getMe: await c.getAsync(GetMe),
    changePassword: await c.getAsync(ChangePassword),
    deleteAccount: await c.getAsync(DeleteAccount),
    listSessions: await c.getAsync(ListSessions),
    revokeSessions: await c.getAsync(RevokeSessions),
    limits: await c.getAsync(t.Limits),
    health: await c.getAsync(t.Health),
    browserOptions: {
      cookies: browser.cookies
        ? { ...browser, accessTtlSeconds: config.accessTokenTtlSeconds, refreshTtlSeconds: config.refreshTokenTtlSeconds }
        : undefined,
      publicUrl: config.keys.publicUrl,
    },
  }
}
