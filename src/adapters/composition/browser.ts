import type { ContainerModuleLoadOptions, ServiceIdentifier } from 'inversify'
import { ChangePassword } from '../../application/change_password.ts'
import { CheckClaims } from '../../application/check_claims.ts'
import { CredentialsCheck } from '../../application/credentials_check.ts'
import { DeleteAccount } from '../../application/delete_account.ts'
import { GetMe } from '../../application/get_me.ts'
import { ListSessions } from '../../application/list_sessions.ts'
import { ListUserSessions } from '../../application/list_user_sessions.ts'
import { RevokeSessionById } from '../../application/revoke_session_by_id.ts'
import { Clock } from '../../application/ports/clock.ts'
import { CommonPasswords } from '../../application/ports/common_passwords.ts'
import { PasswordHasher } from '../../application/ports/password_hasher.ts'
import { RevocationStore } from '../../application/ports/revocation_store.ts'
import { SessionStore } from '../../application/ports/session_store.ts'
import { UserRepository } from '../../application/ports/user_repository.ts'
import { RevokeSessions } from '../../application/revoke_sessions.ts'
import { RevokeToken } from '../../application/revoke_token.ts'
import { TokenMinter, type TokenPolicy as TokenPolicyValue } from '../../application/token_minter.ts'
import type { BrowserOptions, BrowserRoutesDeps } from '../http/browser_routes.ts'
import type { AuthLimits } from '../http/rate_limits.ts'
import type { StoreHealth } from '../store_health.ts'
import type { Capability } from './capability.ts'
import { Health, Limits, TokenPolicy } from './ids.ts'

/** Injection token of what the self-service routes and cookie mode need, gathered for the HTTP adapter. */
export const BrowserHttp: ServiceIdentifier<BrowserRoutesDeps & { browserOptions: BrowserOptions }> = Symbol(
  'BrowserHttp',
)

type Bind = ContainerModuleLoadOptions['bind']

/**
 * Self-service and cookie mode: the use cases behind `/me`, `/password`, `/sessions` and the
 * CLI's `sessions` and `revoke-session`, and what the HTTP adapter needs of them (the session
 * store, the common-password list and the session-recording login are the accounts' and the
 * stores' capabilities).
 */
export const browser: Capability = ({ bind }, { config }) => {
  bindSelfService(bind)
  bind(BrowserHttp).toResolvedValue(
    (
      checkClaims: CheckClaims,
      revokeToken: RevokeToken,
      getMe: GetMe,
      changePassword: ChangePassword,
      deleteAccount: DeleteAccount,
      listSessions: ListSessions,
      revokeSessions: RevokeSessions,
      limits: AuthLimits | undefined,
      health: StoreHealth,
    ) => ({
      checkClaims,
      revokeToken,
      getMe,
      changePassword,
      deleteAccount,
      listSessions,
      revokeSessions,
      limits,
      health,
      browserOptions: {
        cookies: config.browser.cookies
          ? {
            ...config.browser,
            accessTtlSeconds: config.accessTokenTtlSeconds,
            refreshTtlSeconds: config.refreshTokenTtlSeconds,
          }
          : undefined,
        publicUrl: config.keys.publicUrl,
      },
    }),
    [CheckClaims, RevokeToken, GetMe, ChangePassword, DeleteAccount, ListSessions, RevokeSessions, Limits, Health],
  )
}

function bindSelfService(bind: Bind): void {
  bind(GetMe).toResolvedValue((users: UserRepository) => new GetMe({ users }), [UserRepository])
  bind(ChangePassword).toResolvedValue(
    (
      users: UserRepository,
      credentials: CredentialsCheck,
      hasher: PasswordHasher,
      minter: TokenMinter,
      revocations: RevocationStore,
      clock: Clock,
      policy: TokenPolicyValue,
      commonPasswords: CommonPasswords,
      sessions: SessionStore,
    ) =>
      new ChangePassword({ users, credentials, hasher, minter, revocations, clock, policy, commonPasswords, sessions }),
    [
      UserRepository,
      CredentialsCheck,
      PasswordHasher,
      TokenMinter,
      RevocationStore,
      Clock,
      TokenPolicy,
      CommonPasswords,
      SessionStore,
    ],
  )
  bind(ListSessions).toResolvedValue(
    (sessions: SessionStore, revocations: RevocationStore, clock: Clock) =>
      new ListSessions({ sessions, revocations, clock }),
    [SessionStore, RevocationStore, Clock],
  )
  bind(RevokeSessions).toResolvedValue(
    (sessions: SessionStore, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeSessions({ sessions, revocations, clock, policy }),
    [SessionStore, RevocationStore, Clock, TokenPolicy],
  )
  bind(ListUserSessions).toResolvedValue(
    (users: UserRepository, sessions: SessionStore, revocations: RevocationStore, clock: Clock) =>
      new ListUserSessions({ users, sessions, revocations, clock }),
    [UserRepository, SessionStore, RevocationStore, Clock],
  )
  bind(RevokeSessionById).toResolvedValue(
    (revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeSessionById({ revocations, clock, policy }),
    [RevocationStore, Clock, TokenPolicy],
  )
  bind(DeleteAccount).toResolvedValue(
    (
      users: UserRepository,
      credentials: CredentialsCheck,
      revocations: RevocationStore,
      clock: Clock,
      policy: TokenPolicyValue,
      sessions: SessionStore,
    ) => new DeleteAccount({ users, credentials, revocations, clock, policy, sessions }),
    [UserRepository, CredentialsCheck, RevocationStore, Clock, TokenPolicy, SessionStore],
  )
}
