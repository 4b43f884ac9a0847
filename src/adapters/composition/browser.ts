import type { ContainerModuleLoadOptions, ServiceIdentifier } from 'inversify'
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
import type { BrowserOptions, BrowserRoutesDeps } from '../http/browser_routes.ts'
import type { AuthLimits } from '../http/rate_limits.ts'
import { MemorySessionStore } from '../memory/session_store.ts'
import type { MongoConnection } from '../mongo/mongo_connection.ts'
import { MongoSessionStore } from '../mongo/session_store.ts'
import type { StoreHealth } from '../store_health.ts'
import type { Capability } from './capability.ts'
import { Health, Limits, Mongo, ReservedUsernames, TokenPolicy } from './ids.ts'

/** Injection token of what the self-service routes and cookie mode need, gathered for the HTTP adapter. */
export const BrowserHttp: ServiceIdentifier<BrowserRoutesDeps & { browserOptions: BrowserOptions }> = Symbol('BrowserHttp')

type Rebind = ContainerModuleLoadOptions['rebind']
type Bind = ContainerModuleLoadOptions['bind']

/**
 * Binds the session store (MongoDB with `MONGO_URL`, else memory; or `sessions`), the
 * common-password list (loaded once), the self-service use cases, and rebinds the use cases
 * that open or use sessions (registration, login, refresh) with them. Call after the core's
 * use cases are bound, before HTTP (which gathers {@linkcode BrowserHttp}).
 */
export const browser: Capability = ({ bind, rebind }, { config, overrides }) => {
  const sessions: SessionStore | undefined = overrides.sessions
  if (sessions !== undefined) bind(SessionStore).toConstantValue(sessions)
  else if (config.mongoUrl === undefined) bind(SessionStore).toConstantValue(new MemorySessionStore())
  else bind(SessionStore).toResolvedValue((mongo: MongoConnection) => new MongoSessionStore(mongo), [Mongo])
  bind(CommonPasswords).toConstantValue(CommonPasswordList.fromPackage())
  rebind(TokenPolicy).toConstantValue({
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
    leewaySeconds: config.jwtLeewaySeconds,
    // One CSRF value per login session, in its tokens, whenever cookies may carry them.
    csrf: config.browser.cookies,
  })
  rebindSessionUseCases(rebind)
  bindSelfService(bind)
  bind(BrowserHttp).toResolvedValue((checkClaims: CheckClaims, revokeToken: RevokeToken, getMe: GetMe, changePassword: ChangePassword,
    deleteAccount: DeleteAccount, listSessions: ListSessions, revokeSessions: RevokeSessions, limits: AuthLimits | undefined, health: StoreHealth) => ({
    checkClaims, revokeToken, getMe, changePassword, deleteAccount, listSessions, revokeSessions, limits, health,
    browserOptions: {
      cookies: config.browser.cookies
        ? { ...config.browser, accessTtlSeconds: config.accessTokenTtlSeconds, refreshTtlSeconds: config.refreshTokenTtlSeconds }
        : undefined,
      publicUrl: config.keys.publicUrl,
    },
  }), [CheckClaims, RevokeToken, GetMe, ChangePassword, DeleteAccount, ListSessions, RevokeSessions, Limits, Health])
}

function rebindSessionUseCases(rebind: Rebind): void {
  rebind(RegisterUser).toResolvedValue(
    (users: UserRepository, hasher: PasswordHasher, minter: TokenMinter, clock: Clock, reservedUsernames: ReadonlySet<UsernameKey>,
      commonPasswords: CommonPasswords, sessions: SessionStore) =>
      new RegisterUser({ users, hasher, minter, clock, reservedUsernames, commonPasswords, sessions }),
    [UserRepository, PasswordHasher, TokenMinter, Clock, ReservedUsernames, CommonPasswords, SessionStore])
  rebind(Login).toResolvedValue(
    (credentials: CredentialsCheck, minter: TokenMinter, clock: Clock, sessions: SessionStore) => new Login({ credentials, minter, clock, sessions }),
    [CredentialsCheck, TokenMinter, Clock, SessionStore])
  rebind(RefreshAccess).toResolvedValue(
    (checkClaims: CheckClaims, users: UserRepository, minter: TokenMinter, revocations: RevocationStore, clock: Clock,
      policy: TokenPolicyValue, sessions: SessionStore) => new RefreshAccess({ checkClaims, users, minter, revocations, clock, policy, sessions }),
    [CheckClaims, UserRepository, TokenMinter, RevocationStore, Clock, TokenPolicy, SessionStore])
}

function bindSelfService(bind: Bind): void {
  bind(GetMe).toResolvedValue((users: UserRepository) => new GetMe({ users }), [UserRepository])
  bind(ChangePassword).toResolvedValue(
    (users: UserRepository, credentials: CredentialsCheck, hasher: PasswordHasher, minter: TokenMinter, revocations: RevocationStore,
      clock: Clock, policy: TokenPolicyValue, commonPasswords: CommonPasswords, sessions: SessionStore) =>
      new ChangePassword({ users, credentials, hasher, minter, revocations, clock, policy, commonPasswords, sessions }),
    [UserRepository, CredentialsCheck, PasswordHasher, TokenMinter, RevocationStore, Clock, TokenPolicy, CommonPasswords, SessionStore])
  bind(ListSessions).toResolvedValue(
    (sessions: SessionStore, revocations: RevocationStore, clock: Clock) => new ListSessions({ sessions, revocations, clock }),
    [SessionStore, RevocationStore, Clock])
  bind(RevokeSessions).toResolvedValue(
    (sessions: SessionStore, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeSessions({ sessions, revocations, clock, policy }),
    [SessionStore, RevocationStore, Clock, TokenPolicy])
  bind(ListUserSessions).toResolvedValue(
    (users: UserRepository, sessions: SessionStore, revocations: RevocationStore, clock: Clock) =>
      new ListUserSessions({ users, sessions, revocations, clock }),
    [UserRepository, SessionStore, RevocationStore, Clock])
  bind(RevokeSessionById).toResolvedValue(
    (revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) => new RevokeSessionById({ revocations, clock, policy }),
    [RevocationStore, Clock, TokenPolicy])
  bind(DeleteAccount).toResolvedValue(
    (users: UserRepository, credentials: CredentialsCheck, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue,
      sessions: SessionStore) => new DeleteAccount({ users, credentials, revocations, clock, policy, sessions }),
    [UserRepository, CredentialsCheck, RevocationStore, Clock, TokenPolicy, SessionStore])
}
